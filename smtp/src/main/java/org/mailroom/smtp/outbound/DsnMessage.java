package org.mailroom.smtp.outbound;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

import org.mailroom.storage.queue.DeliveryReply;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

/**
 * A delivery status notification (RFC 3464) to the sender of a queued message: a multipart/report with a human
 * explanation, a message/delivery-status part (Reporting-MTA, Arrival-Date, then per recipient Final-Recipient,
 * Action, Status, Remote-MTA, Diagnostic-Code, Last-Attempt-Date) and the original's headers as
 * text/rfc822-headers. {@link Kind#FAILED} reports recipients given up on; {@link Kind#DELAYED} is the warning
 * that delivery is taking long (RFC 3464 Action: delayed) and carries Will-Retry-Until.
 */
final class DsnMessage {

    enum Kind {
        FAILED("failed", "Undelivered Mail Returned to Sender"),
        DELAYED("delayed", "Delayed Mail (still being retried)");

        private final String action;
        private final String subject;

        Kind(String action, String subject) {
            this.action = action;
            this.subject = subject;
        }
    }

    /** One recipient the report is about. */
    record Entry(String recipient, DeliveryReply reply, java.util.Optional<String> remoteMta, Instant lastAttempt) {
    }

    private static final DateTimeFormatter RFC_5322 = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private DsnMessage() {
    }

    /**
     * The report's bytes, addressed to {@code sender} from the postmaster of {@code reportingMta};
     * {@code original} is the queued message (only its header is quoted).
     */
    static byte[] build(Kind kind, String reportingMta, String sender, Instant arrival, List<Entry> entries,
                        byte[] original, java.util.Optional<Instant> willRetryUntil, Instant now) {
        Objects.requireNonNull(kind, "kind");
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("a DSN reports on at least one recipient");
        }
        try {
            Session session = Session.getInstance(new Properties());
            MimeMessage report = new MimeMessage(session);
            report.setFrom(new InternetAddress("MAILER-DAEMON@" + reportingMta, "Mail Delivery System"));
            report.setRecipient(jakarta.mail.Message.RecipientType.TO, new InternetAddress(sender, false));
            report.setSubject(kind.subject);
            report.setSentDate(Date.from(now));
            report.setHeader("Auto-Submitted", "auto-replied");

            MimeMultipart multipart = new MimeMultipart("report");
            MimeBodyPart human = new MimeBodyPart();
            human.setText(explanation(kind, reportingMta, entries, willRetryUntil), "UTF-8");
            multipart.addBodyPart(human);
            multipart.addBodyPart(rawPart("message/delivery-status",
                deliveryStatus(kind, reportingMta, arrival, entries, willRetryUntil)));
            multipart.addBodyPart(rawPart("text/rfc822-headers", headerOf(original)));
            report.setContent(multipart);
            // The report-type parameter is what makes it a DSN (RFC 6522).
            report.saveChanges();
            String type = report.getHeader("Content-Type", null);
            report.setHeader("Content-Type", type + ";\r\n\treport-type=delivery-status");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            report.writeTo(out);
            return out.toByteArray();
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("cannot build a DSN: " + e.getMessage(), e);
        }
    }

    private static String explanation(Kind kind, String reportingMta, List<Entry> entries,
                                      java.util.Optional<Instant> willRetryUntil) {
        StringBuilder text = new StringBuilder();
        text.append("This is the mail system at host ").append(reportingMta).append(".\r\n\r\n");
        if (kind == Kind.FAILED) {
            text.append("Your message could not be delivered to one or more recipients. It is attached below"
                + " (headers only).\r\n\r\n");
        } else {
            text.append("Your message could not be delivered yet to one or more recipients. The mail system will"
                + " keep trying").append(willRetryUntil.map(t -> " until " + RFC_5322.format(t)).orElse(""))
                .append("; you do not need to send it again.\r\n\r\n");
        }
        for (Entry entry : entries) {
            text.append("<").append(entry.recipient()).append(">: ")
                .append(entry.remoteMta().map(h -> "host " + h + " said: ").orElse(""))
                .append(entry.reply()).append("\r\n");
        }
        return text.toString();
    }

    private static byte[] deliveryStatus(Kind kind, String reportingMta, Instant arrival, List<Entry> entries,
                                         java.util.Optional<Instant> willRetryUntil) {
        StringBuilder fields = new StringBuilder();
        fields.append("Reporting-MTA: dns; ").append(reportingMta).append("\r\n");
        fields.append("Arrival-Date: ").append(RFC_5322.format(arrival)).append("\r\n");
        for (Entry entry : entries) {
            fields.append("\r\n");
            fields.append("Final-Recipient: rfc822; ").append(entry.recipient()).append("\r\n");
            fields.append("Action: ").append(kind.action).append("\r\n");
            fields.append("Status: ").append(entry.reply().status()).append("\r\n");
            entry.remoteMta().ifPresent(host -> fields.append("Remote-MTA: dns; ").append(host).append("\r\n"));
            fields.append("Diagnostic-Code: smtp; ").append(entry.reply().code()).append(" ")
                .append(entry.reply().status()).append(" ").append(entry.reply().text()).append("\r\n");
            fields.append("Last-Attempt-Date: ").append(RFC_5322.format(entry.lastAttempt())).append("\r\n");
            if (kind == Kind.DELAYED) {
                willRetryUntil.ifPresent(t -> fields.append("Will-Retry-Until: ").append(RFC_5322.format(t)).append("\r\n"));
            }
        }
        return fields.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A body part whose bytes are written as given (7bit text), under the given content type. */
    private static MimeBodyPart rawPart(String contentType, byte[] content) throws MessagingException {
        InternetHeaders headers = new InternetHeaders();
        headers.setHeader("Content-Type", contentType);
        headers.setHeader("Content-Transfer-Encoding", "7bit");
        return new MimeBodyPart(headers, content);
    }

    /** The original's header section (up to the first empty line), with 8-bit bytes and lone CR/LF made safe. */
    static byte[] headerOf(byte[] original) throws MessagingException {
        InternetHeaders headers = new InternetHeaders(new ByteArrayInputStream(original));
        StringBuilder text = new StringBuilder();
        Enumeration<String> lines = headers.getAllHeaderLines();
        while (lines.hasMoreElements()) {
            text.append(lines.nextElement().replaceAll("[^\\x09\\x0a\\x0d\\x20-\\x7e]", "?")).append("\r\n");
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
