package org.mailroom.smtp.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;

/** Writes the RFC 5321 {@code Received:} trace header Mailroom puts on top of every message it accepts. */
final class ReceivedHeader {

    /** The header's date, to the second, with the second and zone it stands for. */
    private record Stamp(long epochSecond, ZoneId zone, String text) {
    }

    /**
     * The last date written. Every message of a second carries the same date text, so it is formatted once per
     * second instead of once per message (the zone rules look-up and the formatter were ~5 % of an SMTP worker's
     * CPU per message). Shared by all worker threads: a {@link Stamp} is immutable and published whole through this
     * volatile field, so a reader sees either an older stamp (then it checks the second and zone and formats its own)
     * or a complete newer one; two threads formatting the same second at once just write equal texts.
     */
    private static volatile Stamp last = new Stamp(Long.MIN_VALUE, ZoneId.of("UTC"), "");

    private ReceivedHeader() {
    }

    static byte[] of(SMTPSession session, List<MailAddress> recipients, Clock clock) {
        String helo = session.getAttachment(SMTPSession.CURRENT_HELO_NAME, State.Connection).map(ReceivedHeader::clean)
            .orElse("unknown");
        String mode = session.getAttachment(SMTPSession.CURRENT_HELO_MODE, State.Connection).orElse("HELO");
        StringBuilder header = new StringBuilder(256).append("Received: from ").append(helo)
            .append(" ([").append(session.getRemoteAddress().getAddress().getHostAddress()).append("])\r\n")
            .append("\tby ").append(clean(session.getConfiguration().getHelloName())).append(" (Mailroom) with ")
            .append(protocol(session, mode)).append(" id ").append(clean(session.getSessionID())).append("\r\n\t");
        // Naming the recipient only when there is one avoids disclosing Bcc recipients to each other.
        if (recipients.size() == 1) {
            header.append("for <").append(clean(recipients.get(0).asString())).append(">");
        }
        header.append("; ").append(date(clock)).append("\r\n");
        return header.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The clock's current time as RFC 1123 in the clock's zone ({@code Mon, 30 Nov 2026 03:05:19 +0000}). */
    static String date(Clock clock) {
        Instant now = clock.instant();
        ZoneId zone = clock.getZone();
        Stamp stamp = last;
        if (stamp.epochSecond() != now.getEpochSecond() || !stamp.zone().equals(zone)) {
            stamp = new Stamp(now.getEpochSecond(), zone,
                DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(now, zone)));
            last = stamp;
        }
        return stamp.text();
    }

    /** RFC 3848 protocol names. */
    private static String protocol(SMTPSession session, String heloMode) {
        if (!"EHLO".equals(heloMode)) {
            return "SMTP";
        }
        return "ESMTP" + (session.isTLSStarted() ? "S" : "") + (session.getUsername() != null ? "A" : "");
    }

    /**
     * Client-chosen text (the HELO name) must not break the header: keep printable ASCII without parentheses or
     * semicolons, each other code point (a surrogate pair counts as one) becomes '_', at most 255 of them.
     */
    static String clean(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 255));
        int points = 0;
        for (int i = 0; i < text.length() && points < 255; points++) {
            int c = text.codePointAt(i);
            out.append(c > 32 && c < 127 && c != '(' && c != ')' && c != ';' ? (char) c : '_');
            i += Character.charCount(c);
        }
        return out.toString();
    }
}
