package org.mailroom.smtp.outbound;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.mailroom.storage.queue.DeliveryReply;
import org.mailroom.storage.queue.RecipientOutcome;
import org.mailroom.storage.queue.RecipientState;

/**
 * Turns one recipient's reply into its next state: 2xx delivered, 5xx bounced, 4xx (and every local temporary
 * failure) deferred to the next time in the retry schedule, capped at the message's expiry so the last attempt
 * happens when the lifetime ends; a temporary failure at or after the expiry bounces.
 */
final class RetryDecision {

    private final RetrySchedule schedule;
    private final Duration maxLifetime;

    RetryDecision(RetrySchedule schedule, Duration maxLifetime) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.maxLifetime = Objects.requireNonNull(maxLifetime, "maxLifetime");
    }

    /** {@code attemptsBefore}: attempts already made for this recipient before this one. */
    RecipientOutcome decide(int position, DeliveryReply reply, Optional<String> host, int attemptsBefore,
                            Instant queuedAt, Instant now) {
        if (reply.isSuccess()) {
            return new RecipientOutcome(position, RecipientState.DELIVERED, Optional.empty(), reply, host);
        }
        if (reply.isPermanent()) {
            return new RecipientOutcome(position, RecipientState.BOUNCED, Optional.empty(), reply, host);
        }
        Instant expiry = queuedAt.plus(maxLifetime);
        if (!now.isBefore(expiry)) {
            return new RecipientOutcome(position, RecipientState.BOUNCED, Optional.empty(), reply, host);
        }
        Instant next = now.plus(schedule.delayAfter(attemptsBefore + 1));
        return new RecipientOutcome(position, RecipientState.DEFERRED,
            Optional.of(next.isAfter(expiry) ? expiry : next), reply, host);
    }

    Instant expiry(Instant queuedAt) {
        return queuedAt.plus(maxLifetime);
    }
}
