package org.mailroom.imap;

import org.apache.james.util.MDCBuilder;

/**
 * The logging context (MDC) Mailroom's processors give a command: its action only.
 *
 * <p>James 3.8.1's processors build theirs for every command, whether or not anything is logged: STORE formats its
 * id set ({@code IdRange.toString}), SEARCH the whole search operation (a Guava {@code toString} of every key of the
 * tree, most of them null), FETCH its item list and id set. No log layout of Mailroom's prints a context value
 * (dist's {@code logback.xml}), and the failures James logs name the id set or mailbox in their message, so the
 * action is all a reader of the logs could use.
 */
final class CommandLogContext {
    private CommandLogContext() {
    }

    static MDCBuilder action(String action) {
        return MDCBuilder.create().addToContext(MDCBuilder.ACTION, action);
    }
}
