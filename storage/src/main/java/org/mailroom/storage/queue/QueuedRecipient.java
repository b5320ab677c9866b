package org.mailroom.storage.queue;

import java.time.Instant;
import java.util.Optional;

/** One recipient of a queued message and its delivery state ({@code nextAttemptAt} is empty once final). */
public record QueuedRecipient(int position, String address, RecipientState state, int attempts,
                              Optional<Instant> nextAttemptAt, Optional<DeliveryReply> lastReply, Instant updatedAt) {

    public String domain() {
        return address.substring(address.lastIndexOf('@') + 1);
    }
}
