package org.mailroom.dist.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.mailroom.storage.schema.Dialect;
import org.mailroom.storage.schema.StorageStartupException;

/**
 * The rules a configuration must meet beyond its types, checked once at load so that nothing later has to
 * second-guess a value it was given.
 */
final class ConfigValidator {
    private static final int MAX_POOL_SIZE = 500;
    private static final int MAX_SMTP_WORKERS = 256;

    private final KeyLines written;
    private final List<ConfigProblem> problems = new ArrayList<>();

    private ConfigValidator(KeyLines written) {
        this.written = written;
    }

    /** Every problem with the configuration, in the order of the sections of the reference file. */
    static List<ConfigProblem> check(MailroomConfig config, KeyLines written) {
        ConfigValidator validator = new ConfigValidator(written);
        validator.checkServer(config.server());
        validator.checkStorage(config.storage());
        validator.checkPorts(config);
        validator.checkTls(config.tls());
        validator.checkSmtpLimits(config.smtp());
        validator.checkDnsChecks(config.smtp(), config.dns());
        validator.checkOutbound(config.outbound());
        return List.copyOf(validator.problems);
    }

    private void checkServer(ServerConfig server) {
        if (server.hostname().isBlank() || server.hostname().chars().anyMatch(Character::isWhitespace)) {
            problem("server.hostname", "must be a host name without spaces, such as mail.example.org");
        }
        if (server.bindAddress().isBlank()) {
            problem("server.bind-address", "must be an IP address such as 127.0.0.1, or 0.0.0.0 for all");
        }
        range("server.warm-up.messages", server.warmUp().messages(), 1, WarmUpConfig.MAX_MESSAGES);
        if (server.warmUp().timeLimit().duration().compareTo(java.time.Duration.ofMinutes(10)) > 0) {
            problem("server.warm-up.time-limit", "must be at most 10m (clients wait for it), was "
                + server.warmUp().timeLimit());
        }
    }

    private void checkStorage(StorageConfig storage) {
        if (storage.dataDir().isBlank()) {
            problem("storage.data-dir", "must name a directory");
        }
        if (storage.poolSize() < 1 || storage.poolSize() > MAX_POOL_SIZE) {
            problem("storage.pool-size", "must be between 1 and " + MAX_POOL_SIZE + ", was " + storage.poolSize());
        }
        if (storage.jdbcUrl() == null) {
            if (storage.jdbcUser() != null) {
                problem("storage.jdbc-user", "is only used with storage.jdbc-url, which is not set");
            }
            if (storage.jdbcPassword() != null) {
                problem("storage.jdbc-password", "is only used with storage.jdbc-url, which is not set");
            }
        } else {
            try {
                Dialect.fromJdbcUrl(storage.jdbcUrl());
            } catch (StorageStartupException e) {
                problem("storage.jdbc-url", e.getMessage());
            }
        }
    }

    private void checkPorts(MailroomConfig config) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("smtp.port", config.smtp().port());
        ports.put("submission.port", config.submission().port());
        ports.put("submission.tls-port", config.submission().tlsPort());
        ports.put("imap.port", config.imap().port());
        ports.put("imap.tls-port", config.imap().tlsPort());
        ports.put("http.port", config.http().port());

        Map<Integer, String> firstUser = new LinkedHashMap<>();
        ports.forEach((key, port) -> {
            if (port < 0 || port > 65535) {
                problem(key, "port must be between 1 and 65535 (or 0 for any free port), was " + port);
                return;
            }
            String earlier = port == 0 ? null : firstUser.putIfAbsent(port, key);
            if (earlier != null) {
                // Report the clash on a key the file actually writes, so the line number points at something.
                boolean laterWritten = written.isWritten(key) || !written.isWritten(earlier);
                String reported = laterWritten ? key : earlier;
                String other = laterWritten ? earlier : key;
                problem(reported, "port " + port + " is also used by " + other
                    + (written.isWritten(other) ? "" : " (its default)") + "; each listener needs its own port");
            }
        });
    }

    private void checkSmtpLimits(SmtpConfig smtp) {
        // RFC 5321 4.5.3.1.8 asks servers to take at least 100 recipients; fewer is allowed but loses mail lists.
        range("smtp.max-recipients", smtp.maxRecipients(), 1, 10_000);
        range("smtp.max-connections-per-ip", smtp.maxConnectionsPerIp(), 1, 10_000);
        range("smtp.max-bad-commands", smtp.maxBadCommands(), 1, 1_000);
        range("smtp.workers", smtp.workers(), 1, MAX_SMTP_WORKERS);
        java.time.Duration idle = smtp.idleTimeout().duration();
        // Netty's idle timer counts whole seconds.
        if (idle.getNano() != 0 || idle.getSeconds() < 1 || idle.getSeconds() > 3_600) {
            problem("smtp.idle-timeout", "must be whole seconds between 1s and 1h (RFC 5321 asks for 5m), was "
                + smtp.idleTimeout());
        }
    }

    private void range(String key, int value, int min, int max) {
        if (value < min || value > max) {
            problem(key, "must be between " + min + " and " + max + ", was " + value);
        }
    }

    private void checkDnsChecks(SmtpConfig smtp, DnsConfig dns) {
        for (SmtpConfig.DnsblEntry entry : smtp.dnsbl()) {
            if (entry.zone() == null || !entry.zone().matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+\\.?")) {
                problem("smtp.dnsbl", "zone must be a DNS name such as zen.spamhaus.org, was " + entry.zone());
            }
            if (entry.action() == null || !List.of("reject", "score").contains(entry.action().toLowerCase(java.util.Locale.ROOT))) {
                problem("smtp.dnsbl", "action must be reject or score, was " + entry.action());
            }
        }
        for (String server : dns.servers()) {
            if (DnsServers.parse(server).isEmpty()) {
                problem("dns.servers", "must be IP addresses, optionally with :port (e.g. 127.0.0.1:53), was " + server);
            }
        }
        if (dns.timeoutSeconds() < 1 || dns.timeoutSeconds() > 30) {
            problem("dns.timeout-seconds", "must be between 1 and 30, was " + dns.timeoutSeconds());
        }
    }

    private void checkOutbound(OutboundConfig outbound) {
        if (outbound.heloName() != null
            && (outbound.heloName().isBlank() || outbound.heloName().chars().anyMatch(Character::isWhitespace))) {
            problem("outbound.helo-name", "must be a host name without spaces, such as mail.example.org");
        }
        if (outbound.remotePort() < 1 || outbound.remotePort() > 65535) {
            problem("outbound.remote-port", "must be between 1 and 65535, was " + outbound.remotePort());
        }
        if (outbound.retrySchedule().isEmpty()) {
            problem("outbound.retry-schedule", "needs at least one time span, such as [5m, 10m, 1h]");
        }
        if (outbound.concurrency() < 1 || outbound.concurrency() > 64) {
            problem("outbound.concurrency", "must be between 1 and 64, was " + outbound.concurrency());
        }
        if (outbound.connectionsPerDestination() < 1 || outbound.connectionsPerDestination() > 100) {
            problem("outbound.connections-per-destination", "must be between 1 and 100, was "
                + outbound.connectionsPerDestination());
        }
        if (outbound.maxConnections() < 1 || outbound.maxConnections() > 1000) {
            problem("outbound.max-connections", "must be between 1 and 1000, was " + outbound.maxConnections());
        } else if (outbound.maxConnections() < outbound.connectionsPerDestination()) {
            problem("outbound.max-connections", "must be at least outbound.connections-per-destination ("
                + outbound.connectionsPerDestination() + "), was " + outbound.maxConnections());
        }
        if (outbound.messagesPerConnection() < 1 || outbound.messagesPerConnection() > 10_000) {
            problem("outbound.messages-per-connection", "must be between 1 and 10000, was "
                + outbound.messagesPerConnection());
        }
        if (!"off".equalsIgnoreCase(outbound.delayWarningAfter())) {
            try {
                java.time.Duration warn = TimeSpan.parse(outbound.delayWarningAfter()).duration();
                if (warn.compareTo(outbound.maxLifetime().duration()) >= 0) {
                    problem("outbound.delay-warning-after", "must be shorter than outbound.max-lifetime ("
                        + outbound.maxLifetime() + "), or off");
                }
            } catch (IllegalArgumentException e) {
                problem("outbound.delay-warning-after", e.getMessage() + ", or off");
            }
        }
        OutboundConfig.SmarthostConfig relay = outbound.smarthost();
        if (relay != null) {
            if (relay.host() == null || relay.host().isBlank()) {
                problem("outbound.smarthost.host", "must name the relay host, such as smtp.example.net");
            }
            if (relay.port() < 1 || relay.port() > 65535) {
                problem("outbound.smarthost.port", "must be between 1 and 65535, was " + relay.port());
            }
            if (!List.of("starttls", "tls", "none").contains(relay.security().toLowerCase(java.util.Locale.ROOT))) {
                problem("outbound.smarthost.security", "must be starttls, tls or none, was " + relay.security());
            }
            if ((relay.username() == null) != (relay.password() == null)) {
                problem(relay.username() == null ? "outbound.smarthost.password" : "outbound.smarthost.username",
                    "username and password go together: set both, or neither");
            }
        }
    }

    private void checkTls(TlsConfig tls) {
        // One without the other cannot serve TLS, and silently falling back to a self-signed certificate would
        // hide the mistake until a client complains.
        if (tls.certificate() != null && tls.privateKey() == null) {
            problem("tls.certificate", "is set but tls.private-key is not; set both, or neither for a self-signed"
                + " certificate");
        }
        if (tls.privateKey() != null && tls.certificate() == null) {
            problem("tls.private-key", "is set but tls.certificate is not; set both, or neither for a self-signed"
                + " certificate");
        }
        if (tls.certificate() != null && tls.certificate().isBlank()) {
            problem("tls.certificate", "must name a PEM file");
        }
        if (tls.privateKey() != null && tls.privateKey().isBlank()) {
            problem("tls.private-key", "must name a PEM file");
        }
    }

    private void problem(String key, String message) {
        problems.add(new ConfigProblem(key, message));
    }
}
