package org.mailroom.dist.config;

/**
 * The {@code server} section: the name this server greets with, the address its listeners bind to, and the
 * warm-up {@code start} runs before they open.
 */
public record ServerConfig(String hostname, String bindAddress, WarmUpConfig warmUp) {

    public ServerConfig {
        hostname = hostname != null ? hostname : "localhost";
        // Loopback by default: a fresh install must not be reachable from the network until it is set up.
        bindAddress = bindAddress != null ? bindAddress : "127.0.0.1";
        warmUp = warmUp != null ? warmUp : WarmUpConfig.defaults();
    }
}
