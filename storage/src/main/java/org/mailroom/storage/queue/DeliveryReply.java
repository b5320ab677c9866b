package org.mailroom.storage.queue;

import java.util.Objects;

/**
 * What a delivery attempt got for one recipient: the SMTP reply code (or the code Mailroom assigns to a local
 * diagnosis such as a DNS failure), the enhanced status code (RFC 3463, e.g. {@code 5.1.1}) and the reply text.
 */
public record DeliveryReply(int code, String status, String text) {
    private static final int MAX_TEXT = 1000;

    public DeliveryReply {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(text, "text");
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code out of range: " + code);
        }
        // Kept to what the column holds; a remote's essay of a reply is not worth more.
        text = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
    }

    public boolean isPermanent() {
        return code >= 500;
    }

    public boolean isSuccess() {
        return code < 300;
    }

    /** As an SMTP reply line: {@code 550 5.1.1 no such user}. */
    @Override
    public String toString() {
        return code + " " + status + " " + text;
    }
}
