package org.mailroom.imap;

/** An IMAP listener could not be configured or bound. */
public final class ImapStartupException extends RuntimeException {
    public ImapStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
