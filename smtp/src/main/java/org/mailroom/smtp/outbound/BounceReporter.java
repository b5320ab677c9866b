package org.mailroom.smtp.outbound;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.mailroom.storage.queue.QueuedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a sender about recipients given up on (or, once, about a long delay) with an RFC 3464 report: into the
 * sender's INBOX when the sender is local, otherwise through the queue with the null sender {@code <>}. Nothing is
 * sent about a message whose own sender is null (a report about a report), so bounces never loop.
 */
final class BounceReporter {

    private static final Logger LOG = LoggerFactory.getLogger(BounceReporter.class);

    private final String reportingMta;
    private final LocalInbox localInbox;
    private final Outbox outbox;
    private final Clock clock;

    BounceReporter(String reportingMta, LocalInbox localInbox, Outbox outbox, Clock clock) {
        this.reportingMta = Objects.requireNonNull(reportingMta, "reportingMta");
        this.localInbox = Objects.requireNonNull(localInbox, "localInbox");
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    void report(DsnMessage.Kind kind, QueuedMessage message, byte[] original, List<DsnMessage.Entry> entries,
                Optional<Instant> willRetryUntil) {
        if (entries.isEmpty()) {
            return;
        }
        if (message.hasNullSender()) {
            LOG.info("queued message {}: no {} report, the sender is <>", message.id(), kind);
            return;
        }
        byte[] report = DsnMessage.build(kind, reportingMta, message.sender(), message.createdAt(), entries, original,
            willRetryUntil, clock.instant());
        try {
            if (localInbox.deliver(message.sender(), report)) {
                LOG.info("queued message {}: {} report delivered to local sender <{}>", message.id(), kind,
                    message.sender());
                return;
            }
        } catch (Exception e) {
            // The sender's mailbox could not take it now; the queue retries (and, being local, routes it back).
            LOG.warn("queued message {}: {} report to <{}> could not be stored locally ({}); queueing it",
                message.id(), kind, message.sender(), e.toString());
        }
        long id = outbox.enqueue("", List.of(message.sender()), report);
        LOG.info("queued message {}: {} report to <{}> queued as {}", message.id(), kind, message.sender(), id);
    }
}
