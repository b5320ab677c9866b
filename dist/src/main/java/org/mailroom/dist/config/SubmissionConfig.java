package org.mailroom.dist.config;

/** The {@code submission} section: where users' mail clients send mail, with STARTTLS and with implicit TLS. */
public record SubmissionConfig(Integer port, Integer tlsPort) {

    public SubmissionConfig {
        port = port != null ? port : 2587;
        tlsPort = tlsPort != null ? tlsPort : 2465;
    }
}
