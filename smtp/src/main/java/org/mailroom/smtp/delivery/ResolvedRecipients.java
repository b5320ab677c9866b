package org.mailroom.smtp.delivery;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.james.core.MailAddress;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * What each accepted recipient of the current transaction was resolved to when RCPT accepted it: the local users
 * receiving its copies, or nothing for a remote recipient. The recipient policy resolves every address at RCPT
 * anyway (to answer 550 for unknown users); keeping the answer saves delivery asking the store again, per recipient
 * and per message, at the end of DATA. The resolution is the one the client was answered with, as Postfix resolves
 * at RCPT too. Lives as long as the SMTP transaction (James drops it at RSET and after DATA).
 */
public final class ResolvedRecipients {

    private static final AttachmentKey<ResolvedRecipients> KEY =
        AttachmentKey.of("mailroom.transaction.recipients", ResolvedRecipients.class);

    /** Users per accepted address; an empty set marks a remote recipient. */
    private final Map<MailAddress, Set<String>> users = new HashMap<>();

    private ResolvedRecipients() {
    }

    /** RCPT accepted {@code rcpt} for these local users. */
    public static void local(SMTPSession session, MailAddress rcpt, Set<String> users) {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("a local recipient needs at least one user: " + rcpt);
        }
        of(session).users.put(rcpt, Set.copyOf(users));
    }

    /** RCPT accepted {@code rcpt} for the outbound queue. */
    public static void remote(SMTPSession session, MailAddress rcpt) {
        of(session).users.put(rcpt, Set.of());
    }

    /** The resolutions of the current transaction, if RCPT recorded any. */
    static Optional<ResolvedRecipients> current(SMTPSession session) {
        return session.getAttachment(KEY, State.Transaction);
    }

    /**
     * What RCPT resolved {@code rcpt} to: empty when it did not record it (then the caller resolves it itself), a
     * set of users for a local recipient, an empty set for a remote one.
     */
    Optional<Set<String>> usersOf(MailAddress rcpt) {
        return Optional.ofNullable(users.get(rcpt));
    }

    private static ResolvedRecipients of(SMTPSession session) {
        Optional<ResolvedRecipients> existing = current(session);
        if (existing.isPresent()) {
            return existing.get();
        }
        ResolvedRecipients created = new ResolvedRecipients();
        session.setAttachment(KEY, created, State.Transaction);
        return created;
    }
}
