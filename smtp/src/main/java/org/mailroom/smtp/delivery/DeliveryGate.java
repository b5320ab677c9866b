package org.mailroom.smtp.delivery;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides whether a delivery may run now, wait its turn, or be turned away (451, try later): at most
 * {@code running} deliveries commit at once, at most {@code waiting} more wait for a turn, the rest are refused
 * instead of piling up. The delivery then runs on the thread that asked (the SMTP session's worker, which has to
 * wait for the commit before the 250 anyway): the same bounds a dedicated pool gave, without handing every message
 * to another thread and back.
 */
final class DeliveryGate {

    private final int running;
    private final int waiting;
    private final Semaphore turns;
    private final AtomicInteger waiters = new AtomicInteger();
    private volatile boolean closed;

    DeliveryGate(int running, int waiting) {
        if (running < 1 || waiting < 0) {
            throw new IllegalArgumentException("running " + running + " (1 or more), waiting " + waiting + " (0 or more)");
        }
        this.running = running;
        this.waiting = waiting;
        this.turns = new Semaphore(running, true);
    }

    /**
     * Takes a turn, waiting behind the others if need be; false when too many wait already or the gate is closed.
     * A true answer must be followed by {@link #leave()}.
     */
    boolean enter() throws InterruptedException {
        if (closed) {
            return false;
        }
        if (turns.tryAcquire()) {
            return true;
        }
        if (waiters.incrementAndGet() > waiting) {
            waiters.decrementAndGet();
            return false;
        }
        try {
            turns.acquire();
        } finally {
            waiters.decrementAndGet();
        }
        return true;
    }

    void leave() {
        turns.release();
    }

    /** How many deliveries wait for a turn now. */
    int waiting() {
        return waiters.get();
    }

    /** Refuses new deliveries and waits up to {@code seconds} for those running to finish. */
    void close(long seconds) throws InterruptedException {
        closed = true;
        if (turns.tryAcquire(running, seconds, TimeUnit.SECONDS)) {
            turns.release(running);
        }
    }
}
