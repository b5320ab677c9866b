package org.mailroom.smtp.outbound;

import java.util.Objects;
import java.util.Optional;

/**
 * A relay that takes all outbound mail instead of the recipients' MX hosts (an ISP's or a mail service's relay):
 * host, port, how the connection is secured, and optional credentials for AUTH. Unlike opportunistic STARTTLS to
 * MX hosts, a smarthost's certificate is verified (JDK trust store and host name) when TLS is used: credentials
 * are sent to it.
 */
public record Smarthost(String host, int port, Security security, Optional<String> username,
                        Optional<String> password) {

    /** How the connection to the smarthost is secured. */
    public enum Security {
        /** STARTTLS required. */
        STARTTLS,
        /** TLS from the first byte (port 465). */
        TLS,
        /** Plain text (only for a relay on a trusted network). */
        NONE
    }

    public Smarthost {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("smarthost port out of range: " + port);
        }
        if (username.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException("smarthost username and password go together");
        }
    }

    /** Never the password. */
    @Override
    public String toString() {
        return host + ":" + port + " (" + security.name().toLowerCase() + username.map(u -> ", as " + u).orElse("") + ")";
    }
}
