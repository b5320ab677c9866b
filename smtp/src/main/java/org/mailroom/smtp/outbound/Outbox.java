package org.mailroom.smtp.outbound;

import java.util.List;

/** Where submitted mail for remote recipients goes: the durable outbound queue. */
@FunctionalInterface
public interface Outbox {

    /**
     * Queues the message for the recipients and returns its queue id once the queue row is committed (so the
     * client may be told 250); the first attempt is scheduled at once.
     */
    long enqueue(String sender, List<String> recipients, byte[] message);
}
