package org.mailroom.dist.tls;

/** The self-signed certificate cannot be made or stored (an unwritable data directory); the message is one line. */
public class TlsStartupException extends RuntimeException {
    public TlsStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
