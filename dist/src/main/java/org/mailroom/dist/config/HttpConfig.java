package org.mailroom.dist.config;

/** The {@code http} section: the port serving client autoconfiguration and metrics. */
public record HttpConfig(Integer port) {

    public HttpConfig {
        port = port != null ? port : 8025;
    }
}
