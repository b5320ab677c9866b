package org.mailroom.smtp;

/** An SMTP listener could not be started (port in use, bad wiring); the message names the listener. */
public final class SmtpStartupException extends RuntimeException {
    public SmtpStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
