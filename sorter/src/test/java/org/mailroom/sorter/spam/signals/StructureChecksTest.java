package org.mailroom.sorter.spam.signals;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mailroom.sorter.Dimension;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.Score;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.spam.TestMails;

class StructureChecksTest {

    private static Map<String, String> facts(MailContent content, SessionFacts session) {
        Map<String, String> facts = new LinkedHashMap<>();
        StructureChecks.standard().check(content, session, facts::put);
        return facts;
    }

    private static Map<String, String> facts(String message) {
        return facts(TestMails.parse(message), SessionFacts.none());
    }

    @Test
    void aWellFormedPersonalMessageRaisesNothing() {
        assertThat(facts("""
            From: Bob <bob@example.test>
            To: alice@example.test
            Subject: Lunch tomorrow?
            Date: Mon, 2 Mar 2026 10:00:00 +0000
            Message-ID: <abc@mail.example.test>
            Return-Path: <bob@example.test>

            Shall we?
            """)).isEmpty();
    }

    @Test
    void missingHeaders() {
        assertThat(facts("Subject: \n\nhello\n")).containsKeys("missing-date", "missing-message-id",
            "missing-from", "missing-to", "missing-subject").containsEntry("missing-date", "no Date header");
    }

    @Test
    void senderMismatches() {
        Map<String, String> facts = facts(TestMails.parse("""
            From: "service@bank.example" <notice@mailer.example>
            Reply-To: collect@elsewhere.example
            Return-Path: <bounce@bulk.example>
            To: alice@example.test
            Subject: Account
            Date: Mon, 2 Mar 2026 10:00:00 +0000
            Message-ID: <1@mx.mailer.example>

            Verify.
            """), new SessionFacts(Optional.of("192.0.2.1"), Optional.of("host.other.example"), false, false,
            List.of(), Optional.empty()));
        assertThat(facts).containsEntry("from-returnpath-mismatch",
            "From domain mailer.example differs from Return-Path domain bulk.example")
            .containsKeys("from-replyto-mismatch", "from-helo-mismatch", "from-name-other-address");
    }

    @Test
    void messageIdShapes() {
        assertThat(facts("From: a@x.example\nMessage-ID: 12345\n\nb\n")).containsKeys("message-id-no-brackets",
            "message-id-no-at");
        assertThat(facts("From: a@x.example\nMessage-ID: <1@localhost>\n\nb\n")).containsKey(
            "message-id-bare-domain");
        assertThat(facts("From: a@x.example\nMessage-ID: <1@mx.other.example>\n\nb\n")).containsEntry(
            "message-id-foreign-domain", "Message-ID domain other.example differs from From domain x.example");
    }

    @Test
    void htmlOnlyAndDeceptiveLinks() {
        Map<String, String> facts = facts("""
            From: a@x.example
            Subject: s
            Content-Type: text/html

            <html><body><a href="http://evil.example/login">https://www.bank.example/</a>
            <a href="https://login.bank.example/x">www.bank.example</a></body></html>
            """);
        assertThat(facts).containsKeys("html-only", "html-little-text")
            .containsEntry("link-text-mismatch", "link shows www.bank.example but goes to evil.example");
        assertThat(facts("""
            From: a@x.example
            Subject: s
            Content-Type: text/html

            <a href="https://login.bank.example/x">www.bank.example</a>
            """)).doesNotContainKey("link-text-mismatch");
    }

    @Test
    void spfFromTheSessionOrFromTheStoredHeader() {
        MailContent stored = TestMails.parse("Received-SPF: softfail (mailroom: domain of x.example)\nSubject: s\n\nb\n");
        assertThat(facts(stored, SessionFacts.none())).containsEntry("spf-softfail", "SPF softfail");
        SessionFacts session = new SessionFacts(Optional.empty(), Optional.empty(), false, false, List.of(),
            Optional.of("fail"));
        assertThat(facts(stored, session)).containsKey("spf-fail").doesNotContainKey("spf-softfail");
        assertThat(facts(TestMails.parse("Received-SPF: bogus\n\nb\n"), SessionFacts.none()))
            .doesNotContainKeys("spf-bogus");
    }

    @Test
    void shoutingSubjects() {
        assertThat(facts("Subject: MAKE MONEY FAST!!\n\nb\n")).containsKeys("subject-capitals",
            "subject-exclamations");
        assertThat(facts("Subject: Win $1000\n\nb\n")).containsKey("subject-money");
    }

    @Test
    void aCheckThatThrowsDoesNotStopTheOthers() {
        StructureChecks checks = new StructureChecks(List.of((c, s, sink) -> {
            throw new IllegalStateException("boom");
        }, new MissingHeaders()));
        Map<String, String> facts = new LinkedHashMap<>();
        checks.check(TestMails.parse("Subject: x\n\nb\n"), SessionFacts.none(), facts::put);
        assertThat(facts).containsKey("missing-date");
    }

    @Test
    void dnsblListingScoresEachZoneUpToTwo() {
        SessionFacts listed = new SessionFacts(Optional.of("192.0.2.9"), Optional.empty(), false, false,
            List.of("zen.example", "bl.example", "third.example"), Optional.empty());
        List<Score> scores = new DnsblListing().evaluate(new IncomingMail("alice@example.test", Optional.empty(),
            listed, TestMails.ham(1), java.time.Instant.EPOCH));
        assertThat(scores).hasSize(2).allMatch(s -> s.dimension() == Dimension.SPAM && s.value() == 2.0);
        assertThat(scores.get(0).reason()).isEqualTo("192.0.2.9 listed in zen.example");
        assertThat(new DnsblListing().evaluate(TestMails.incoming("alice@example.test", TestMails.ham(1)))).isEmpty();
    }

    @Test
    void organisationalDomains() {
        assertThat(Domains.organisational("mail.shop.example.co.uk")).isEqualTo("example.co.uk");
        assertThat(Domains.organisational("a.b.example.com.")).isEqualTo("example.com");
        assertThat(Domains.organisational("localhost")).isEqualTo("localhost");
        assertThat(Domains.hostOfUrl("HTTP://user@Www.Example.com:80/x")).contains("www.example.com");
        assertThat(Domains.hostOfUrl("javascript:alert(1)")).isEmpty();
    }
}
