package org.mailroom.smtp.delivery;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;

/** Writes the RFC 5321 {@code Received:} trace header Mailroom puts on top of every message it accepts. */
final class ReceivedHeader {

    private ReceivedHeader() {
    }

    static byte[] of(SMTPSession session, List<MailAddress> recipients, ZonedDateTime now) {
        String helo = session.getAttachment(SMTPSession.CURRENT_HELO_NAME, State.Connection).map(ReceivedHeader::clean)
            .orElse("unknown");
        String mode = session.getAttachment(SMTPSession.CURRENT_HELO_MODE, State.Connection).orElse("HELO");
        StringBuilder header = new StringBuilder("Received: from ").append(helo)
            .append(" ([").append(session.getRemoteAddress().getAddress().getHostAddress()).append("])\r\n")
            .append("\tby ").append(clean(session.getConfiguration().getHelloName())).append(" (Mailroom) with ")
            .append(protocol(session, mode)).append(" id ").append(clean(session.getSessionID())).append("\r\n\t");
        // Naming the recipient only when there is one avoids disclosing Bcc recipients to each other.
        if (recipients.size() == 1) {
            header.append("for <").append(clean(recipients.get(0).asString())).append(">");
        }
        header.append("; ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(now)).append("\r\n");
        return header.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** RFC 3848 protocol names. */
    private static String protocol(SMTPSession session, String heloMode) {
        if (!"EHLO".equals(heloMode)) {
            return "SMTP";
        }
        return "ESMTP" + (session.isTLSStarted() ? "S" : "") + (session.getUsername() != null ? "A" : "");
    }

    /** Client-chosen text (the HELO name) must not break the header: keep printable ASCII without parentheses. */
    private static String clean(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(255)
            .map(c -> c > 32 && c < 127 && c != '(' && c != ')' && c != ';' ? c : '_')
            .forEach(out::appendCodePoint);
        return out.toString();
    }
}
