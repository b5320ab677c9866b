package org.mailroom.dist.config;

import java.time.Duration;

/**
 * The {@code server.warm-up} section: whether {@code start} first runs synthetic mail through a throwaway instance
 * (so the JIT has compiled the hot paths before real clients arrive), how many messages it delivers and reads, and
 * the time after which it stops early whatever it has done.
 */
public record WarmUpConfig(Boolean enabled, Integer messages, TimeSpan timeLimit) {
    /** Largest accepted {@code messages}: beyond a few thousand the JIT has little left to gain (bench/README.md). */
    public static final int MAX_MESSAGES = 100_000;

    public WarmUpConfig {
        // Off by default: on a 2-core machine it costs more start-up CPU than it saved in the measured loads
        // (bench/README.md, SMTP chapter, h-warmup).
        enabled = enabled != null ? enabled : Boolean.FALSE;
        messages = messages != null ? messages : 1000;
        timeLimit = timeLimit != null ? timeLimit : new TimeSpan(Duration.ofSeconds(60));
    }

    /** Every key at its default. */
    static WarmUpConfig defaults() {
        return new WarmUpConfig(null, null, null);
    }
}
