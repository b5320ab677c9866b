package org.mailroom.dist.config;

/** The {@code imap} section: where mail clients read mail, with STARTTLS and with implicit TLS. */
public record ImapConfig(Integer port, Integer tlsPort) {

    public ImapConfig {
        port = port != null ? port : 2143;
        tlsPort = tlsPort != null ? tlsPort : 2993;
    }
}
