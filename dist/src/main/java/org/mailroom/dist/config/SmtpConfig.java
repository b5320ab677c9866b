package org.mailroom.dist.config;

/** The {@code smtp} section: the port where other servers deliver mail to this one (the MX listener). */
public record SmtpConfig(Integer port) {

    public SmtpConfig {
        port = port != null ? port : 2525;
    }
}
