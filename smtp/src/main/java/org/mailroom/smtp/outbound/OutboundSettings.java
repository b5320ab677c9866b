package org.mailroom.smtp.outbound;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How outbound delivery behaves: the name given in EHLO, the port of remote MX hosts (25; tests use another),
 * connect and read timeouts (the read timeout also bounds a remote that hangs after DATA), the retry schedule, how
 * long a message may stay queued before it bounces, when the sender gets a delay warning (empty = never), an
 * optional smarthost, and how many attempts run at once.
 */
public record OutboundSettings(String heloName, int remotePort, Duration connectTimeout, Duration readTimeout,
                               RetrySchedule retrySchedule, Duration maxLifetime, Optional<Duration> delayWarningAfter,
                               Optional<Smarthost> smarthost, int threads) {

    public OutboundSettings {
        Objects.requireNonNull(heloName, "heloName");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(retrySchedule, "retrySchedule");
        Objects.requireNonNull(maxLifetime, "maxLifetime");
        Objects.requireNonNull(delayWarningAfter, "delayWarningAfter");
        Objects.requireNonNull(smarthost, "smarthost");
        if (remotePort < 1 || remotePort > 65535) {
            throw new IllegalArgumentException("remote port out of range: " + remotePort);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
    }

    /** Port 25, 30 s to connect, 5 min per reply (RFC 5321 4.5.3.2 asks 10 min after DATA; 5 is what Postfix uses), 5 days, warn after 4 h. */
    public static OutboundSettings defaults(String heloName) {
        return new OutboundSettings(heloName, 25, Duration.ofSeconds(30), Duration.ofMinutes(5),
            RetrySchedule.defaults(), Duration.ofDays(5), Optional.of(Duration.ofHours(4)), Optional.empty(), 4);
    }
}
