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
 *
 * <p>A message that is only a body (its first line is no header field: {@code echo text | curl -T - smtp://...})
 * also gets the empty line that ends the header section, as Postfix's cleanup does; without it the text became a
 * malformed header field under the added ones, and mail clients showed an empty message. That line goes right
 * before the message's own bytes, below every header Mailroom adds ({@link #endsHeaderSection()}).
 */
final class SubmissionHeaders {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx", Locale.ROOT);

    private final byte[] fields;
    private final boolean bodyOnly;

    private SubmissionHeaders(byte[] fields, boolean bodyOnly) {
        this.fields = fields;
        this.bodyOnly = bodyOnly;
    }

    /**
     * What the message in {@code message} lacks.
     *
     * @param hostname the right-hand side of a new Message-ID (the server's name)
     */
    static SubmissionHeaders of(InputStream message, String hostname, Clock clock) throws IOException {
        byte[] head = message.readNBytes(MessageIdHeader.HEADER_LIMIT);
        boolean bodyOnly = bodyOnly(head);
        return new SubmissionHeaders(missing(head, bodyOnly, hostname, clock), bodyOnly);
    }

    /** The fields to add: CRLF-terminated header lines, possibly none. */
    byte[] fields() {
        return fields.clone();
    }

    /** Whether an empty line must end the header section before the message's own bytes (it is only a body). */
    boolean endsHeaderSection() {
        return bodyOnly;
    }

    private static byte[] missing(byte[] head, boolean bodyOnly, String hostname, Clock clock) {
        StringBuilder added = new StringBuilder();
        if (bodyOnly || !MessageIdHeader.hasField(head, "Date")) {
            added.append("Date: ").append(DATE.format(clock.instant().atOffset(ZoneOffset.UTC))).append("\r\n");
        }
        if (bodyOnly || !MessageIdHeader.hasField(head, "Message-ID")) {
            added.append("Message-ID: <").append(UUID.randomUUID()).append('@').append(hostname).append(">\r\n");
        }
        return added.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Whether the message has text but its first line is no header field: a name of printable ASCII without a colon,
     * then (obsolete syntax, RFC 5322 4.5.8) spaces or tabs, then a colon. An empty message, or one that starts with
     * the empty line (no header fields at all, body after it), already ends its header section.
     */
    static boolean bodyOnly(byte[] head) {
        if (head.length == 0 || head[0] == '\r' || head[0] == '\n') {
            return false;
        }
        int at = 0;
        while (at < head.length && head[at] > 0x20 && head[at] < 0x7f && head[at] != ':') {
            at++;
        }
        boolean named = at > 0;
        while (at < head.length && (head[at] == ' ' || head[at] == '\t')) {
            at++;
        }
        return !(named && at < head.length && head[at] == ':');
    }
}
