package org.mailroom.sorter;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.mailroom.sorter.message.MailParser;

/** Builds {@link IncomingMail} from message text for sorter tests. */
public final class TestMail {

    private TestMail() {
    }

    public static IncomingMail of(String text) {
        return of(text, SessionFacts.none());
    }

    public static IncomingMail of(String text, SessionFacts facts) {
        byte[] raw = text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        return new IncomingMail("alice@example.test", Optional.of("sender@example.net"), facts,
            new MailParser().parse(raw), Instant.parse("2026-01-01T00:00:00Z"));
    }

    public static SessionFacts listedAndFailing() {
        return new SessionFacts(Optional.of("192.0.2.1"), Optional.of("spammer"), false, false,
            List.of("zen.spamhaus.org"), Optional.of("fail"));
    }
}
