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
        // On by default: a fresh server's first minutes of mail cost a fifth less CPU per message, for a start some
        // seconds longer (bench/README.md, SMTP chapter, h-warmup); MAILROOM_WARM_UP=off overrides it. The budget
        // keeps that start modest on 2 cores: 500 messages made it 19-24 s longer at load 3-5, and 30 s of work is
        // the most a busy machine spends (the throwaway's own start comes on top).
        enabled = enabled != null ? enabled : Boolean.TRUE;
        messages = messages != null ? messages : 500;
        timeLimit = timeLimit != null ? timeLimit : new TimeSpan(Duration.ofSeconds(30));
    }

    /** Every key at its default. */
    static WarmUpConfig defaults() {
        return new WarmUpConfig(null, null, null);
    }
}
