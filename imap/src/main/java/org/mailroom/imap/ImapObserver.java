package org.mailroom.imap;

/**
 * What the IMAP listeners tell the rest of the server, for metrics (the imap module knows no metrics library; the
 * composition root implements this). Called on Netty threads: quick, never throwing.
 */
public interface ImapObserver {
    /** Observes nothing. */
    ImapObserver NONE = new ImapObserver() {
    };

    /** A connection was accepted (TLS may not be negotiated yet). */
    default void sessionOpened() {
    }

    /** A connection counted by {@link #sessionOpened()} ended. */
    default void sessionClosed() {
    }

    /** A LOGIN or AUTHENTICATE failed (wrong credentials or unknown user). */
    default void loginFailed() {
    }
}
