package org.mailroom.smtp.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.UUID;

import org.mailroom.smtp.MessageIdHeader;

/**
 * The {@code Date} and {@code Message-ID} fields a submitted message lacks, added by the submission server as RFC
 * 6409 (8.2, 8.3) allows and Postfix does for its own clients.
 *
 * <p>Why: RFC 5322 requires both, and large receivers refuse mail without a Message-ID (Gmail answers 550 5.7.1),
 * while scripts, {@code curl}, printers and NAS boxes often submit a bare {@code From/To/Subject} message. Mail
 * received on the MX is never changed: a relay must leave the header alone (RFC 5321 6.4 leaves such repairs to the
 * originating side).
 */
final class SubmissionHeaders {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx", Locale.ROOT);

    private SubmissionHeaders() {
    }

    /**
     * The fields to add (CRLF-terminated header lines, possibly none) for the message in {@code message}.
     *
     * @param hostname the right-hand side of a new Message-ID (the server's name)
     */
    static byte[] missing(InputStream message, String hostname, Clock clock) throws IOException {
        byte[] head = message.readNBytes(MessageIdHeader.HEADER_LIMIT);
        StringBuilder added = new StringBuilder();
        if (!MessageIdHeader.hasField(head, "Date")) {
            added.append("Date: ").append(DATE.format(clock.instant().atOffset(ZoneOffset.UTC))).append("\r\n");
        }
        if (!MessageIdHeader.hasField(head, "Message-ID")) {
            added.append("Message-ID: <").append(UUID.randomUUID()).append('@').append(hostname).append(">\r\n");
        }
        return added.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
