package org.mailroom.dist.config;

import java.time.Duration;
import java.util.List;

/**
 * The {@code outbound} section: how mail for other domains is delivered. The name given in EHLO (default: the
 * server's host name), the port of remote MX hosts, timeouts, the retry schedule and how long to keep trying, when
 * to warn the sender of a delay ({@code off} = never), how many messages are attempted at once, how many SMTP
 * connections run at once per destination and in total and how many messages one connection carries, how long
 * delivered and bounced messages stay listed, and an optional smarthost.
 */
public record OutboundConfig(String heloName, Integer remotePort, TimeSpan connectTimeout, TimeSpan readTimeout,
                             List<TimeSpan> retrySchedule, TimeSpan maxLifetime, String delayWarningAfter,
                             Integer concurrency, Integer connectionsPerDestination, Integer maxConnections,
                             Integer messagesPerConnection, TimeSpan historyRetention, SmarthostConfig smarthost) {

    public static final List<TimeSpan> DEFAULT_SCHEDULE = List.of(TimeSpan.parse("5m"), TimeSpan.parse("10m"),
        TimeSpan.parse("20m"), TimeSpan.parse("40m"), TimeSpan.parse("1h"), TimeSpan.parse("2h"), TimeSpan.parse("4h"));

    public OutboundConfig {
        remotePort = remotePort != null ? remotePort : 25;
        connectTimeout = connectTimeout != null ? connectTimeout : new TimeSpan(Duration.ofSeconds(30));
        readTimeout = readTimeout != null ? readTimeout : new TimeSpan(Duration.ofMinutes(5));
        retrySchedule = retrySchedule != null ? List.copyOf(retrySchedule) : DEFAULT_SCHEDULE;
        maxLifetime = maxLifetime != null ? maxLifetime : new TimeSpan(Duration.ofDays(5));
        delayWarningAfter = delayWarningAfter != null ? delayWarningAfter : "4h";
        concurrency = concurrency != null ? concurrency : 16;
        connectionsPerDestination = connectionsPerDestination != null ? connectionsPerDestination : 5;
        maxConnections = maxConnections != null ? maxConnections : 20;
        messagesPerConnection = messagesPerConnection != null ? messagesPerConnection : 100;
        historyRetention = historyRetention != null ? historyRetention : new TimeSpan(Duration.ofDays(7));
    }

    /** The optional relay for all outbound mail; {@code security} is starttls, tls or none. */
    public record SmarthostConfig(String host, Integer port, String security, String username, String password) {
        public SmarthostConfig {
            security = security != null ? security : "starttls";
            port = port != null ? port : ("tls".equalsIgnoreCase(security) ? 465 : 587);
        }

        /** Never the password. */
        @Override
        public String toString() {
            return host + ":" + port + " (" + security + (username != null ? ", as " + username : "") + ")";
        }
    }
}
