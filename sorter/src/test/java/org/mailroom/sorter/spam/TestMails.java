package org.mailroom.sorter.spam;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.message.MailParser;

/** Small messages for the spam tests. */
public final class TestMails {
    private static final MailParser PARSER = new MailParser();

    private TestMails() {
    }

    public static MailContent parse(String text) {
        return PARSER.parse(text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    /** A plain message with the given Message-ID local part, subject and body. */
    public static MailContent mail(String id, String from, String subject, String body) {
        return parse("From: " + from + "\nTo: alice@example.test\nSubject: " + subject
            + "\nDate: Mon, 2 Mar 2026 10:00:00 +0000\nMessage-ID: <" + id + "@example.test>\n\n" + body + "\n");
    }

    public static MailContent spam(int id) {
        return mail("s" + id, "Deals <deals@cheap-pills.example>", "Cheap pills discount " + id,
            "Buy cheap pills now, huge discount, limited offer, click here to order viagra " + id);
    }

    public static MailContent ham(int id) {
        return mail("" + id, "Bob <bob@example.test>", "Meeting notes " + id,
            "Hi Alice, attached are the notes from the project meeting, see you tomorrow at the review " + id);
    }

    public static IncomingMail incoming(String recipient, MailContent content) {
        return new IncomingMail(recipient, Optional.empty(), SessionFacts.none(), content, Instant.EPOCH);
    }
}
