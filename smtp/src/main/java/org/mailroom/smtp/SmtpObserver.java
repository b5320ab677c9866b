package org.mailroom.smtp;

import java.time.Duration;

/**
 * What the SMTP listeners tell the rest of the server about their traffic, for metrics: the smtp module knows no
 * metrics library, the composition root implements this. Called on Netty threads: implementations must be quick and
 * must not throw.
 */
public interface SmtpObserver {
    /** Observes nothing. */
    SmtpObserver NONE = new SmtpObserver() {
    };

    /**
     * A message was answered after its final dot: {@code accepted} when the reply was 2xx; {@code took} is the time
     * from the end of the data to the reply (delivery into the store, sorting, queueing).
     */
    default void messageAnswered(MailroomSmtpServer.Mode listener, boolean accepted, int replyCode, Duration took) {
    }

    /** An AUTH attempt was refused (wrong credentials, throttled, or before TLS). */
    default void authFailed(MailroomSmtpServer.Mode listener) {
    }
}
