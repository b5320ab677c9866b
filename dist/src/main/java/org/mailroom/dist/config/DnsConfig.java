package org.mailroom.dist.config;

import java.util.List;

/**
 * The {@code dns} section: which resolvers the SMTP checks (block lists, SPF) ask, and how long they wait.
 * No servers means the system's resolvers.
 */
public record DnsConfig(List<String> servers, Integer timeoutSeconds) {
    public DnsConfig {
        servers = servers != null ? List.copyOf(servers) : List.of();
        timeoutSeconds = timeoutSeconds != null ? timeoutSeconds : 2;
    }
}
