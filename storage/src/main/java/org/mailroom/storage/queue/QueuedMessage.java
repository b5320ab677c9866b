package org.mailroom.storage.queue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A queued message without its bytes ({@link OutboundQueue#content} reads them): the envelope sender ({@code ""}
 * for the null sender), when it was queued, its size, whether the delay warning went out, its recipients, and when
 * every recipient became final (empty while any is pending; a completed message is kept as history for a while).
 */
public record QueuedMessage(long id, String sender, Instant createdAt, long size, boolean delayWarned,
                            List<QueuedRecipient> recipients, Optional<Instant> completedAt) {

    public QueuedMessage {
        recipients = List.copyOf(recipients);
        java.util.Objects.requireNonNull(completedAt, "completedAt");
    }

    /** Every recipient delivered or bounced: history, no longer delivered. */
    public boolean isCompleted() {
        return completedAt.isPresent();
    }

    public boolean hasNullSender() {
        return sender.isEmpty();
    }

    /** Recipients still to be delivered (queued or deferred). */
    public List<QueuedRecipient> pending() {
        return recipients.stream().filter(r -> !r.state().isFinal()).toList();
    }

    /** The earliest next attempt among pending recipients. */
    public Optional<Instant> nextAttemptAt() {
        return pending().stream().map(QueuedRecipient::nextAttemptAt).flatMap(Optional::stream)
            .min(Instant::compareTo);
    }
}
