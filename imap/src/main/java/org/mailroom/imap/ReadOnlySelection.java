package org.mailroom.imap;

import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.message.request.ExpungeRequest;
import org.apache.james.imap.message.request.MoveRequest;
import org.apache.james.imap.message.request.ReplaceRequest;
import org.apache.james.imap.message.request.StoreRequest;

/**
 * Whether the session's mailbox was opened with EXAMINE, and what that forbids (RFC 3501 6.3.2, RFC 9051 6.3.3: a
 * read-only selection changes nothing in the mailbox, flags included). James 3.8.1 only tells the client
 * {@code [READ-ONLY]}: its STORE, EXPUNGE, UID EXPUNGE, MOVE and CLOSE ask whether the <em>user</em> may write the
 * mailbox (its rights), not whether the session opened it read-only, so they changed flags, expunged and moved
 * messages out of an examined mailbox.
 */
final class ReadOnlySelection {

    /** Session attribute: {@code TRUE} while the selected mailbox was opened by EXAMINE (reset by SELECT). */
    static final String ATTRIBUTE = "mailroom.readOnly";

    private ReadOnlySelection() {
    }

    /** The session has a mailbox selected, and selected it with EXAMINE. */
    static boolean isReadOnly(ImapSession session) {
        return session.getSelected() != null && Boolean.TRUE.equals(session.getAttribute(ATTRIBUTE));
    }

    /**
     * The command would change the read-only mailbox (its flags, or its messages by expunging them) and must be
     * refused: STORE, EXPUNGE and UID EXPUNGE, MOVE (which expunges from the source) and REPLACE (RFC 8508, the same).
     * COPY and FETCH read only; FETCH's implicit {@code \Seen} is left out by {@link MailroomFetchProcessor}; CLOSE
     * succeeds without expunging (RFC 3501 6.4.2).
     */
    static boolean forbids(ImapMessage command, ImapSession session) {
        return (command instanceof StoreRequest || command instanceof ExpungeRequest
            || command instanceof MoveRequest || command instanceof ReplaceRequest)
            && isReadOnly(session);
    }
}
