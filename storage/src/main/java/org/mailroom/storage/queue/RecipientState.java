package org.mailroom.storage.queue;

/**
 * Where one recipient of a queued message stands, in the spirit of Postfix's queues: QUEUED (not tried yet),
 * DEFERRED (tried, will be tried again), and the two final states DELIVERED and BOUNCED.
 */
public enum RecipientState {
    QUEUED,
    DEFERRED,
    DELIVERED,
    BOUNCED;

    public boolean isFinal() {
        return this == DELIVERED || this == BOUNCED;
    }
}
