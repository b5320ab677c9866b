package org.mailroom.dist.config;

/** The {@code server} section: the name this server greets with and the address its listeners bind to. */
public record ServerConfig(String hostname, String bindAddress) {

    public ServerConfig {
        hostname = hostname != null ? hostname : "localhost";
        // Loopback by default: a fresh install must not be reachable from the network until it is set up.
        bindAddress = bindAddress != null ? bindAddress : "127.0.0.1";
    }
}
