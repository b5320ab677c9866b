package org.mailroom.sorter;

import java.time.Duration;

/**
 * Hears of every sorter decision made for a delivered copy, for metrics (the sorter knows no metrics library; the
 * composition root implements this). Quick and never throwing: it runs on the delivery path.
 */
public interface SortObserver {
    /** Observes nothing. */
    SortObserver NONE = (decision, folder, took) -> { };

    /** {@code decision} put a copy into {@code folder}; deciding took {@code took} (rules and signals, not parsing). */
    void sorted(Decision decision, String folder, Duration took);
}
