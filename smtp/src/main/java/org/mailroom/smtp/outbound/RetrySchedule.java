package org.mailroom.smtp.outbound;

import java.time.Duration;
import java.util.List;

/**
 * How long to wait before the next attempt after a temporary failure: the n-th wait is the n-th entry, and the
 * last entry repeats (default 5m, 10m, 20m, 40m, 1h, 2h, 4h, then every 4h, as established MTAs do).
 */
public record RetrySchedule(List<Duration> delays) {

    public RetrySchedule {
        delays = List.copyOf(delays);
        if (delays.isEmpty()) {
            throw new IllegalArgumentException("a retry schedule needs at least one delay");
        }
        for (Duration delay : delays) {
            if (delay.isNegative() || delay.isZero()) {
                throw new IllegalArgumentException("retry delays must be positive: " + delay);
            }
        }
    }

    public static RetrySchedule defaults() {
        return new RetrySchedule(List.of(Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(20),
            Duration.ofMinutes(40), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4)));
    }

    /** The wait after the {@code attempts}-th failed attempt (1 = after the first). */
    public Duration delayAfter(int attempts) {
        return delays.get(Math.max(0, Math.min(attempts, delays.size()) - 1));
    }
}
