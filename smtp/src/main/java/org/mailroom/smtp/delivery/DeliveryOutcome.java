package org.mailroom.smtp.delivery;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * Where a committed message went: the local users whose mailboxes hold a copy, and the outbound queue row for its
 * remote recipients. {@link LocalDelivery} records it on the transaction just before it answers 250, so the one log
 * line per transaction ({@link org.mailroom.smtp.TransactionLog}) can name the mailboxes and the queue id: an admin
 * traces a message from that single line instead of a second "delivered" line per message.
 *
 * @param users   the local users that got a copy (aliases resolved)
 * @param remote  the remote recipients queued for outbound delivery
 * @param queueId the queue row holding them, empty when there are none
 */
public record DeliveryOutcome(List<String> users, List<String> remote, OptionalLong queueId) {

    private static final AttachmentKey<DeliveryOutcome> KEY =
        AttachmentKey.of("mailroom.transaction.delivered", DeliveryOutcome.class);

    public DeliveryOutcome {
        users = List.copyOf(users);
        remote = List.copyOf(remote);
    }

    /** The outcome of the current transaction's delivery, if it committed. */
    public static Optional<DeliveryOutcome> of(SMTPSession session) {
        return session.getAttachment(KEY, State.Transaction);
    }

    void record(SMTPSession session) {
        session.setAttachment(KEY, this, State.Transaction);
    }
}
