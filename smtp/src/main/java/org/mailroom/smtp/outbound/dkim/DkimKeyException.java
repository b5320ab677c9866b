package org.mailroom.smtp.outbound.dkim;

/** A DKIM key cannot be made or read; the message names the domain or file and what is wrong. */
public final class DkimKeyException extends RuntimeException {
    public DkimKeyException(String message) {
        super(message);
    }
}
