package org.mailroom.smtp.outbound;

import java.time.Duration;

/**
 * What the outbound queue tells the rest of the server about its delivery attempts, for metrics (the smtp module
 * knows no metrics library; the composition root implements this). Called on the delivery threads: quick, no throw.
 */
public interface OutboundObserver {
    /** Observes nothing. */
    OutboundObserver NONE = new OutboundObserver() {
    };

    /**
     * One attempt at one queued message ended: how many of its recipients were delivered, deferred (tried again
     * later) and bounced (given up on) by it, and how long the attempt took (DNS, connections, transfers).
     */
    default void attempted(Duration took, int delivered, int deferred, int bounced) {
    }
}
