package org.mailroom.smtp.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mailroom.smtp.policy.SessionVerdicts;
import org.mailroom.sorter.ContentInspection;
import org.mailroom.sorter.Dimension;
import org.mailroom.sorter.Score;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.Signal;
import org.mailroom.sorter.Sorter;
import org.mailroom.sorter.message.MailParser;
import org.mailroom.sorter.rules.RuleParser;

class SorterPlacementTest {

    private static final byte[] MESSAGE = ("From: boss@example.org\r\nSubject: quarterly review\r\n\r\nhi\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    private static final SorterPlacement.Folders FOLDERS = new SorterPlacement.Folders("Priority", "Junk Mail");

    private static SorterPlacement placement(Sorter sorter) {
        return new SorterPlacement(sorter, FOLDERS, new MailParser(), 1024 * 1024, Clock.systemUTC());
    }

    private static RecipientSorting.Prepared prepare(SorterPlacement placement, SessionFacts facts) {
        return placement.prepare(() -> new ByteArrayInputStream(MESSAGE), MESSAGE.length, Optional.of("b@x.test"),
            facts, SessionVerdicts.none());
    }

    @Test
    void eachCategoryGoesToItsConfiguredFolderWithKeywordsAndTraceHeader() throws Exception {
        var rules = new RuleParser().parseFile("r", List.of("if from is boss@example.org then priority"));
        Signal spamIfListed = mail -> mail.session().dnsblZones().isEmpty() ? List.of()
            : List.of(new Score("dnsbl", Dimension.SPAM, 5, "listed"));
        Placement priority = prepare(placement(new Sorter(user -> user.equals("alice@x.test") ? rules : List.of(),
            List.of(spamIfListed), ContentInspection.none())), SessionFacts.none()).place("alice@x.test");
        assertThat(priority.folder()).isEqualTo("Priority");
        assertThat(priority.keywords()).containsExactlyInAnyOrder("$Important", "$NotJunk");
        assertThat(new String(priority.traceHeader(), StandardCharsets.US_ASCII))
            .startsWith("X-Mailroom-Sort: category=priority;").contains("rule=\"r:1\"").endsWith("\r\n");

        SessionFacts listed = new SessionFacts(Optional.of("192.0.2.1"), Optional.empty(), false, false,
            List.of("zen.example"), Optional.empty());
        Placement spam = prepare(placement(new Sorter(user -> List.of(), List.of(spamIfListed),
            ContentInspection.none())), listed).place("bob@x.test");
        assertThat(spam.folder()).isEqualTo("Junk Mail");
        assertThat(spam.keywords()).containsExactly("$Junk");
    }

    @Test
    void aFailingSorterOrAnUnreadableMessageStillPlacesTheMailInInbox() {
        // A LinkageError (a broken class path) escapes the Sorter; the placement still delivers to INBOX.
        Sorter broken = new Sorter(user -> {
            throw new LinkageError("broken class path");
        }, List.of(), ContentInspection.none());
        Placement fallback = prepare(placement(broken), SessionFacts.none()).place("alice@x.test");
        assertThat(fallback.folder()).isEqualTo("INBOX");
        assertThat(new String(fallback.traceHeader(), StandardCharsets.US_ASCII).replace("\r\n ", " "))
            .contains("category=inbox").contains("sorter failed: LinkageError");

        Placement unreadable = placement(Sorter.inboxOnly()).prepare(() -> {
            throw new IOException("spool gone");
        }, 10, Optional.empty(), SessionFacts.none(), SessionVerdicts.none()).place("alice@x.test");
        assertThat(unreadable.folder()).isEqualTo("INBOX");
        assertThat(new String(unreadable.traceHeader(), StandardCharsets.US_ASCII).replace("\r\n ", " "))
            .contains("message could not be read for sorting: IOException");
    }

    @Test
    void theSorterReadsAtMostTheParseLimitAndCopesWithAStreamShorterThanAnnounced() throws Exception {
        // The signals see the words within the limit only; the size is the whole message's.
        byte[] big = ("From: boss@example.org\r\nSubject: s\r\n\r\nearly words\r\n" + "x".repeat(200)
            + "\r\nlate words\r\n").getBytes(StandardCharsets.US_ASCII);
        Signal lateWords = mail -> mail.content().text().contains("early words")
            && mail.content().text().contains("late words") && mail.content().size() == big.length
            ? List.of(new Score("words", Dimension.SPAM, 5, "late words")) : List.of();
        Sorter sorter = new Sorter(user -> List.of(), List.of(lateWords), ContentInspection.none());
        SorterPlacement limited = new SorterPlacement(sorter, FOLDERS, new MailParser(), 100, Clock.systemUTC());
        Placement head = limited.prepare(() -> new ByteArrayInputStream(big), big.length, Optional.empty(),
            SessionFacts.none(), SessionVerdicts.none()).place("alice@x.test");
        assertThat(head.folder()).isEqualTo("INBOX");
        // The whole message read when the limit allows.
        Placement whole = placement(sorter).prepare(() -> new ByteArrayInputStream(big), big.length,
            Optional.empty(), SessionFacts.none(), SessionVerdicts.none()).place("alice@x.test");
        assertThat(whole.folder()).isEqualTo("Junk Mail");
        // A stream shorter than the announced size (a spool cut short) is parsed as far as it goes.
        Placement shorter = placement(sorter).prepare(() -> new ByteArrayInputStream(big), big.length + 50,
            Optional.empty(), SessionFacts.none(), SessionVerdicts.none()).place("alice@x.test");
        assertThat(new String(shorter.traceHeader(), StandardCharsets.US_ASCII)).doesNotContain("could not be read");
    }
}
