package org.mailroom.storage.queue;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of one attempt for one recipient, as {@link OutboundQueue#record} writes it: the new state, when to
 * try again (deferred only), the reply and the host that gave it (empty when no host was reached).
 */
public record RecipientOutcome(int position, RecipientState state, Optional<Instant> nextAttemptAt,
                               DeliveryReply reply, Optional<String> host) {

    public RecipientOutcome {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reply, "reply");
        Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        Objects.requireNonNull(host, "host");
        if (state == RecipientState.QUEUED) {
            throw new IllegalArgumentException("an attempt never leaves a recipient QUEUED");
        }
        if ((state == RecipientState.DEFERRED) != nextAttemptAt.isPresent()) {
            throw new IllegalArgumentException("a next attempt time goes with DEFERRED, and only with it: " + state);
        }
    }
}
