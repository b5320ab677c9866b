package org.mailroom.smtp.outbound;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How outbound delivery behaves: the name given in EHLO, the port of remote MX hosts (25; tests use another),
 * connect and read timeouts (the read timeout also bounds a remote that hangs after DATA), the retry schedule, how
 * long a message may stay queued before it bounces, when the sender gets a delay warning (empty = never), an
 * optional smarthost, how many messages are attempted at once ({@code threads}), how many SMTP connections run
 * at once to one destination and in total, how many messages one connection carries before it is closed, and
 * how long delivered and bounced messages stay listed in the queue with their history.
 */
public record OutboundSettings(String heloName, int remotePort, Duration connectTimeout, Duration readTimeout,
                               RetrySchedule retrySchedule, Duration maxLifetime, Optional<Duration> delayWarningAfter,
                               Optional<Smarthost> smarthost, int threads, int connectionsPerDestination,
                               int maxConnections, int messagesPerConnection, Duration historyRetention) {

    public static final int DEFAULT_CONNECTIONS_PER_DESTINATION = 5;
    public static final int DEFAULT_MAX_CONNECTIONS = 20;
    public static final int DEFAULT_MESSAGES_PER_CONNECTION = 100;
    public static final Duration DEFAULT_HISTORY_RETENTION = Duration.ofDays(7);

    /** The connection limits and history retention at their defaults. */
    public OutboundSettings(String heloName, int remotePort, Duration connectTimeout, Duration readTimeout,
                            RetrySchedule retrySchedule, Duration maxLifetime, Optional<Duration> delayWarningAfter,
                            Optional<Smarthost> smarthost, int threads) {
        this(heloName, remotePort, connectTimeout, readTimeout, retrySchedule, maxLifetime, delayWarningAfter,
            smarthost, threads, DEFAULT_CONNECTIONS_PER_DESTINATION, DEFAULT_MAX_CONNECTIONS,
            DEFAULT_MESSAGES_PER_CONNECTION, DEFAULT_HISTORY_RETENTION);
    }

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
        if (connectionsPerDestination < 1 || maxConnections < 1 || messagesPerConnection < 1) {
            throw new IllegalArgumentException("connection limits must be at least 1: " + connectionsPerDestination
                + ", " + maxConnections + ", " + messagesPerConnection);
        }
        Objects.requireNonNull(historyRetention, "historyRetention");
        if (historyRetention.isNegative()) {
            throw new IllegalArgumentException("history retention must not be negative: " + historyRetention);
        }
    }

    /** The same with other connection limits. */
    public OutboundSettings withConnections(int perDestination, int overall, int messagesPerConnection) {
        return new OutboundSettings(heloName, remotePort, connectTimeout, readTimeout, retrySchedule, maxLifetime,
            delayWarningAfter, smarthost, threads, perDestination, overall, messagesPerConnection, historyRetention);
    }

    /** The same with another history retention. */
    public OutboundSettings withHistoryRetention(Duration retention) {
        return new OutboundSettings(heloName, remotePort, connectTimeout, readTimeout, retrySchedule, maxLifetime,
            delayWarningAfter, smarthost, threads, connectionsPerDestination, maxConnections, messagesPerConnection,
            retention);
    }

    /**
     * Port 25, 30 s to connect, 5 min per reply (RFC 5321 4.5.3.2 asks 10 min after DATA; 5 is what Postfix uses),
     * 5 days, warn after 4 h, 16 messages at once over at most 5 connections per destination and 20 in total.
     */
    public static OutboundSettings defaults(String heloName) {
        return new OutboundSettings(heloName, 25, Duration.ofSeconds(30), Duration.ofMinutes(5),
            RetrySchedule.defaults(), Duration.ofDays(5), Optional.of(Duration.ofHours(4)), Optional.empty(), 16);
    }
}
