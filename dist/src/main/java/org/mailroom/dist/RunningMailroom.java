package org.mailroom.dist;

import java.util.ArrayDeque;
import java.util.Deque;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of a started Mailroom that must be stopped, closed in the reverse order of their start (listeners
 * first, the store last), and the ports the listeners actually bound.
 */
public final class RunningMailroom implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunningMailroom.class);

    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    private int imapPort;
    private int imapTlsPort;
    private int smtpPort;
    private int submissionPort;
    private int submissionTlsPort;
    private int httpPort;

    <T extends AutoCloseable> T started(T part) {
        parts.push(part);
        return part;
    }

    void imapPorts(int startTls, int implicitTls) {
        this.imapPort = startTls;
        this.imapTlsPort = implicitTls;
    }

    void smtpPorts(int inbound, int submissionStartTls, int submissionImplicitTls) {
        this.smtpPort = inbound;
        this.submissionPort = submissionStartTls;
        this.submissionTlsPort = submissionImplicitTls;
    }

    void httpPort(int port) {
        this.httpPort = port;
    }

    /** The bound HTTP port (autoconfig, metrics). */
    public int httpPort() {
        return httpPort;
    }

    /** The bound SMTP (MX) port. */
    public int smtpPort() {
        return smtpPort;
    }

    /** The bound submission (STARTTLS) port. */
    public int submissionPort() {
        return submissionPort;
    }

    /** The bound submission (implicit TLS) port. */
    public int submissionTlsPort() {
        return submissionTlsPort;
    }

    /** The bound IMAP (STARTTLS) port. */
    public int imapPort() {
        return imapPort;
    }

    /** The bound IMAPS (implicit TLS) port. */
    public int imapTlsPort() {
        return imapTlsPort;
    }

    @Override
    public void close() {
        while (!parts.isEmpty()) {
            AutoCloseable part = parts.pop();
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("Stopping {} failed: {}", part, e.getMessage(), e);
            }
        }
    }
}
