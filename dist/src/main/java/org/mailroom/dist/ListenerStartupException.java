package org.mailroom.dist;

/**
 * A listener of dist's own (HTTP) cannot open its port; the message is one line naming the address and the cause.
 * SMTP and IMAP listeners fail with their modules' {@code SmtpStartupException} and {@code ImapStartupException}.
 */
public class ListenerStartupException extends RuntimeException {
    public ListenerStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
