package org.mailroom.storage.queue;

import java.time.Instant;
import java.util.Optional;

/** One line of a queued message's history: the attempt to deliver to one recipient and what came of it. */
public record AttemptRecord(String address, Instant attemptedAt, Optional<String> host, RecipientState outcome,
                            Optional<DeliveryReply> reply) {
}
