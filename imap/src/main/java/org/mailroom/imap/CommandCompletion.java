package org.mailroom.imap;

import org.apache.james.imap.api.process.ImapSession;

import reactor.core.publisher.Mono;

/**
 * Tells a connection's request decoder that the command it handed over has completed, so that it decodes the next
 * one only then (RFC 3501 section 5.5): a command is checked against the session's state when it is decoded, so a
 * SELECT pipelined behind a LOGIN must not be decoded before the LOGIN has changed that state.
 */
final class CommandCompletion {
    private static final String LISTENER = "mailroom.commandCompletion";

    private CommandCompletion() {
    }

    /** Registers what runs (on any thread) each time a command of {@code session} has completed. */
    static void listen(ImapSession session, Runnable listener) {
        session.setAttribute(LISTENER, listener);
    }

    /** {@code processing} that, however it ends (completed, failed or cancelled), lets the listener know. */
    static Mono<Void> signalled(Mono<Void> processing, ImapSession session) {
        return processing.doFinally(signal -> {
            if (session.getAttribute(LISTENER) instanceof Runnable listener) {
                listener.run();
            }
        });
    }
}
