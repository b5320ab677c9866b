package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.decode.main.ImapRequestStreamHandler;
import org.apache.james.imap.encode.FakeImapSession;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imap.message.response.FetchResponse;
import org.apache.james.imap.processor.fetch.FetchProcessor;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageSequenceNumber;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mailroom's FETCH of membership-row items ({@link MetadataFetch}) against James's own {@code FetchProcessor}: the
 * same command on the same session state (real Derby store, James's decoder, encoder and selected mailbox) must
 * give byte-identical responses, unsolicited ones included.
 */
class MetadataFetchTest {
    private static final AtomicInteger MAILBOXES = new AtomicInteger();

    @TempDir
    static Path directory;

    private static FetchAgainstJames fixture;
    private static MailboxManager mailboxManager;
    private static ImapRequestStreamHandler mailroom;
    private static ImapRequestStreamHandler james;
    /** James's FETCH with James's own encoder: the reference for body sections. */
    private static ImapRequestStreamHandler jamesEncoded;
    private static final AtomicInteger encodedByMailroom = new AtomicInteger();
    /** A response line of {@link FetchLines} that ends with a literal's announcement: a whole message's. */
    private static final Pattern LITERAL_LINE =
        Pattern.compile("(?m)^\\* \\d+ FETCH \\(.*(BODY\\[\\]|BODY\\[TEXT\\]|RFC822) \\{\\d+\\}$");
    /** Responses of whole messages built by {@link WholeMessageFetch} (encoded, or as James's response object). */
    private static final AtomicInteger wholeByMailroom = new AtomicInteger();
    private MailboxSession owner;
    private MailboxPath inbox;
    private String box;

    @BeforeAll
    static void start() throws Exception {
        fixture = new FetchAgainstJames(directory);
        mailboxManager = fixture.mailboxManager;
        ImapEncoder jamesEncoder = fixture.jamesEncoder;
        ImapEncoder counting = (message, composer) -> {
            if (message instanceof FetchLines lines) {
                encodedByMailroom.incrementAndGet();
                wholeByMailroom.addAndGet((int) LITERAL_LINE.matcher(lines.toString()).results().count());
            }
            if (message instanceof FetchResponse fetch && fetch.getElements() != null
                && fetch.getElements().stream().anyMatch(WholeMessageFetch.StoredBytes.class::isInstance)) {
                wholeByMailroom.incrementAndGet();
            }
            new MailroomImapEncoder(jamesEncoder).encode(message, composer);
        };
        mailroom = FetchAgainstJames.handler(fixture.mailroomChain, counting);
        james = FetchAgainstJames.handler(fixture.jamesFetch, counting);
        jamesEncoded = FetchAgainstJames.handler(fixture.jamesFetch, jamesEncoder);
    }

    /** A new mailbox per test, of ten messages with all kinds of flags, keywords and internal dates. */
    @BeforeEach
    void fill() throws Exception {
        owner = mailboxManager.createSystemSession(Username.of(ImapTestServers.USER));
        box = "box" + MAILBOXES.incrementAndGet();
        inbox = MailboxPath.forUser(owner.getUser(), box);
        mailboxManager.createMailbox(inbox, owner);
        append(flags(), "2026-11-29T23:59:59.999Z");
        append(flags(Flags.Flag.SEEN, Flags.Flag.ANSWERED), "1999-01-05T03:04:05Z");
        append(flags(Flags.Flag.FLAGGED, Flags.Flag.DELETED, Flags.Flag.DRAFT, Flags.Flag.SEEN), "2001-09-09T01:46:40Z");
        Flags keywords = flags(Flags.Flag.SEEN);
        for (String keyword : new String[] {"$Important", "$Junk", "Zeta", "alpha", "$NotJunk", "custom_1", "Beta"}) {
            keywords.add(keyword);
        }
        append(keywords, "2020-02-29T12:00:00Z");
        Flags one = flags();
        one.add("$Forwarded");
        append(one, "1970-01-01T00:00:00Z");
        for (int i = 0; i < 5; i++) {
            append(flags(Flags.Flag.ANSWERED), "2024-07-0" + (i + 1) + "T10:11:12Z");
        }
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void flagsWithKeywordsAndRecentAsJames() throws Exception {
        FakeImapSession session = selected("SELECT " + box);
        for (String command : new String[] {
            "FETCH 1:* (UID FLAGS RFC822.SIZE)",
            "FETCH 1:* (FLAGS)",
            "FETCH 1:* FAST",
            "FETCH 1:* (INTERNALDATE UID)",
            "FETCH 2:4 (RFC822.SIZE INTERNALDATE FLAGS UID)",
            "FETCH * (UID FLAGS)",
            "FETCH 3 (RFC822.SIZE)",
            "UID FETCH 1:* (FLAGS)",
            "UID FETCH * (FLAGS INTERNALDATE)",
            "UID FETCH 3,5:7,8:* (UID RFC822.SIZE)",
            "FETCH 7,2,9:10 (UID FLAGS)"}) {
            String fromMailroom = assertSameAsJames(session, command);
            assertThat(fromMailroom).as(command).contains("FETCH (").contains("a OK");
        }
        assertThat(assertSameAsJames(session, "UID FETCH 900:1000 (FLAGS)")).isEqualTo("a OK FETCH completed.\r\n");
        assertThat(encodedByMailroom).hasPositiveValue();
        String recent = run(mailroom, session, "FETCH 1:* (FLAGS)");
        assertThat(recent).contains("* 1 FETCH (FLAGS (\\Recent))")
            .contains("* 2 FETCH (FLAGS (\\Answered \\Recent \\Seen))")
            .contains("\\Seen $Important").contains("* 5 FETCH (FLAGS (\\Recent $Forwarded))");
        assertThat(run(mailroom, session, "FETCH 1:2 (INTERNALDATE)"))
            .contains("* 1 FETCH (INTERNALDATE \"29-Nov-2026 23:59:59 +0000\")")
            .contains("* 2 FETCH (INTERNALDATE \"05-Jan-1999 03:04:05 +0000\")");
    }

    @Test
    void badRangesAndEmptyAnswersAsJames() throws Exception {
        FakeImapSession session = selected("EXAMINE " + box);
        for (String command : new String[] {"FETCH 11 (FLAGS)", "FETCH 5:11 (UID)", "FETCH 11:* (UID)"}) {
            assertSameAsJames(session, command);
        }
        assertThat(run(mailroom, session, "FETCH 11 (FLAGS)")).contains("a BAD");
    }

    @Test
    void modSeqOnceCondstoreIsEnabledAsJames() throws Exception {
        FakeImapSession first = selected("SELECT " + box);
        // the first MODSEQ fetch enables CONDSTORE and reports HIGHESTMODSEQ: left to James
        String enabling = run(mailroom, first, "FETCH 1:2 (MODSEQ)");
        assertThat(enabling).contains("HIGHESTMODSEQ").contains("* 1 FETCH (MODSEQ (");
        int before = encodedByMailroom.get();
        assertSameAsJames(first, "FETCH 1:* (MODSEQ FLAGS UID)");
        assertSameAsJames(first, "UID FETCH 2:* (MODSEQ)");
        assertThat(encodedByMailroom.get()).isGreaterThan(before);

        FakeImapSession qresync = session();
        run(mailroom, qresync, "ENABLE QRESYNC");
        run(mailroom, qresync, "EXAMINE " + box);
        // QRESYNC adds the UID to every FETCH response
        assertThat(assertSameAsJames(qresync, "FETCH 1:3 (FLAGS)")).contains("* 1 FETCH (MODSEQ (1) FLAGS () UID 1)");
        assertSameAsJames(qresync, "FETCH 1:* (MODSEQ RFC822.SIZE)");
    }

    @Test
    void changesByAnotherSessionAsJames() throws Exception {
        selected("SELECT " + box); // takes \Recent, so the two watchers below see the same flags
        FakeImapSession watchedByMailroom = selected("SELECT " + box);
        FakeImapSession watchedByJames = selected("SELECT " + box);
        FakeImapSession other = selected("SELECT " + box);
        run(mailroom, other, "STORE 2 +FLAGS (\\Flagged $Important)");
        run(mailroom, other, "STORE 3 +FLAGS (\\Deleted)");
        run(mailroom, other, "EXPUNGE");
        append(flags(Flags.Flag.SEEN), "2025-12-31T23:00:00Z");
        for (String command : new String[] {"FETCH 1:* (FLAGS UID)", "UID FETCH 1:* (FLAGS)", "FETCH 1:* (FLAGS)"}) {
            String fromMailroom = run(mailroom, watchedByMailroom, command);
            String fromJames = run(james, watchedByJames, command);
            assertThat(fromMailroom).as(command).isEqualTo(fromJames);
        }
        assertThat(run(mailroom, other, "FETCH 1:* (UID)")).doesNotContain("UID 3)").contains("UID 11)");
    }

    /**
     * A FETCH whose lines fill several writes ({@link FetchLines.Builder}: a small first batch, then 16 KB ones cut at
     * line ends) gives James's bytes: no line lost, split or doubled at a batch's end; \Recent for only the messages
     * added after another session's SELECT; MODSEQ once CONDSTORE is on.
     */
    @Test
    void linesOverSeveralBatchesAsJames() throws Exception {
        selected("SELECT " + box); // claims \Recent of the first ten
        for (int i = 0; i < 390; i++) {
            Flags flags = i % 3 == 0 ? flags(Flags.Flag.SEEN) : flags();
            if (i % 7 == 0) {
                flags.add("$Important");
            }
            append(flags, "2025-03-0" + (1 + i % 9) + "T0" + (i % 10) + ":00:00Z");
        }
        FakeImapSession session = selected("SELECT " + box);
        for (String command : new String[] {"FETCH 1:* (UID FLAGS RFC822.SIZE)", "UID FETCH 1:* (FLAGS)", "FETCH 1:* FAST",
            "FETCH 5:395 (UID RFC822.SIZE)"}) {
            String fromMailroom = assertSameAsJames(session, command);
            assertThat(fromMailroom.length()).as(command).isGreaterThan(2 * MailroomFetchProcessor.BATCH_BYTES / 3);
        }
        run(mailroom, session, "FETCH 1 (MODSEQ)"); // enables CONDSTORE (James's path)
        assertThat(assertSameAsJames(session, "FETCH 1:* (MODSEQ FLAGS UID)")).contains("* 400 FETCH (MODSEQ (");
    }

    /**
     * The rows' walk beside the session's UIDs ({@link SessionUidWalk}) against James's look-ups one UID at a time:
     * a view with only some messages recent, messages another session expunged (still in the view, not yet reported)
     * and messages added after the view's last EXISTS, over ranges with gaps and ranges past the last UID.
     */
    @Test
    void sessionUidWalkAsJamesLookUps() throws Exception {
        assertThat(SessionUidWalk.available()).as("James's SelectedMailboxImpl and UidMsnConverter as expected").isTrue();
        selected("SELECT " + box); // claims \Recent of the first ten
        append(flags(), "2025-01-01T00:00:00Z");
        append(flags(Flags.Flag.SEEN), "2025-01-02T00:00:00Z");
        FakeImapSession watched = selected("SELECT " + box); // 11 and 12 recent to this session only
        FakeImapSession writer = session();
        run(mailroom, writer, "SELECT " + box);
        run(mailroom, writer, "STORE 3,7,11 +FLAGS (\\Deleted)");
        run(mailroom, writer, "EXPUNGE");
        append(flags(Flags.Flag.FLAGGED), "2025-01-03T00:00:00Z");

        SelectedMailbox selected = watched.getSelected();
        for (long[] range : new long[][] {{1, 20}, {2, 2}, {3, 3}, {5, 11}, {11, 13}, {12, 4294967295L}, {13, 15}}) {
            MessageRange uids = MessageRange.range(MessageUid.of(range[0]), MessageUid.of(range[1]));
            SessionUidWalk walk = SessionUidWalk.of(selected, uids, true);
            for (long uid = range[0]; uid <= Math.min(range[1], 20); uid++) {
                MessageUid messageUid = MessageUid.of(uid);
                int expected = selected.msn(messageUid).foldSilent(() -> 0, MessageSequenceNumber::asInt);
                assertThat(walk.msn(uid)).as("msn of UID %d in %d:%d", uid, range[0], range[1]).isEqualTo(expected);
                assertThat(walk.isRecent(uid)).as("\\Recent of UID %d", uid).isEqualTo(selected.isRecent(messageUid));
            }
        }
        assertThat(selected.isRecent(MessageUid.of(12))).isTrue();
        assertThat(selected.msn(MessageUid.of(7)).foldSilent(() -> 0, MessageSequenceNumber::asInt)).as("expunged, not yet reported").isEqualTo(7);

        // FETCH by number reports no EXPUNGE (the expunged stay in the view), once the flag updates are out
        run(mailroom, watched, "FETCH 1 (UID)");
        for (String command : new String[] {"FETCH 1:* (FLAGS UID)", "FETCH 2,4,9:* (FLAGS)", "FETCH 6:8 (FLAGS BODY.PEEK[])",
            "FETCH 10:* (BODY.PEEK[] FLAGS)", "FETCH 1:* (FLAGS)"}) {
            ImapRequestStreamHandler reference = command.contains("BODY") ? jamesEncoded : james;
            String fromMailroom = run(mailroom, watched, command);
            assertThat(fromMailroom).as(command).isEqualTo(run(reference, watched, command)).doesNotContain("EXPUNGE");
        }
        assertThat(run(mailroom, watched, "FETCH 7 (UID)")).contains("a OK").doesNotContain("* 7 FETCH");
        assertThat(assertSameAsJames(watched, "UID FETCH 5:13 (UID FLAGS)")).contains("* 9 FETCH (FLAGS (\\Recent \\Seen) UID 12)");
        assertSameAsJamesEncoded(watched, "UID FETCH 10:* (BODY.PEEK[] FLAGS)");
    }

    @Test
    void bodySectionsWrittenInlineAsJamesStreamsThem() throws Exception {
        StringBuilder big = new StringBuilder();
        while (big.length() <= WholeLiteralComposer.MAX_INLINE) {
            big.append("a line of a long body, long enough to be streamed rather than inlined\r\n");
        }
        appendRaw("Subject: big\r\n\r\n" + big);
        FakeImapSession session = selected("EXAMINE " + box);
        for (String command : new String[] {"FETCH 1:3 (UID BODY.PEEK[])", "FETCH 2 (BODY.PEEK[HEADER] BODY.PEEK[TEXT] RFC822.SIZE)",
            "FETCH 4 (BODY.PEEK[]<10.20> FLAGS)", "UID FETCH 11 (BODY.PEEK[])", "FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])"}) {
            run(mailroom, session, "NOOP");
            String fromMailroom = run(mailroom, session, command);
            run(mailroom, session, "NOOP");
            assertThat(fromMailroom).as(command).isEqualTo(run(jamesEncoded, session, command)).contains("a OK");
        }
        assertThat(run(mailroom, session, "UID FETCH 11 (BODY.PEEK[])")).contains("{" + ("Subject: big\r\n\r\n".length() + big.length()) + "}\r\n");
    }

    @Test
    void wholeMessagesFromRowsAsJames() throws Exception {
        StringBuilder big = new StringBuilder();
        while (big.length() <= WholeLiteralComposer.MAX_INLINE) {
            big.append("a line of a long body, long enough to be streamed rather than inlined\r\n");
        }
        appendRaw("Subject: big\r\n\r\n" + big);
        appendRaw("Subject: no body\r\n\r\n");
        FakeImapSession session = selected("SELECT " + box);
        int before = wholeByMailroom.get();
        String[] commands = {"FETCH 1:3 (BODY.PEEK[])", "FETCH 2 (UID BODY.PEEK[])",
            "FETCH 1:* (FLAGS RFC822.SIZE INTERNALDATE UID BODY.PEEK[])", "UID FETCH 3,5:7,11:* (BODY.PEEK[TEXT])",
            "FETCH 4 (FLAGS BODY.PEEK[])", "UID FETCH 11 (BODY.PEEK[] FLAGS)", "FETCH 12 (BODY.PEEK[TEXT] RFC822.SIZE)",
            "FETCH 12 (BODY.PEEK[])", "UID FETCH 900 (BODY.PEEK[])", "FETCH 10:* (BODY.PEEK[])"};
        for (String command : commands) {
            assertSameAsJamesEncoded(session, command);
        }
        assertThat(wholeByMailroom.get() - before).isEqualTo(29);
        assertThat(run(mailroom, session, "FETCH 12 (BODY.PEEK[TEXT])")).contains("* 12 FETCH (BODY[TEXT] {0}\r\n)");
        // .PEEK: nothing stored
        assertThat(run(mailroom, session, "FETCH 1 (FLAGS)")).contains("* 1 FETCH (FLAGS (\\Recent))");

        // BODY[] and RFC822 change nothing in a mailbox opened with EXAMINE, so they are answered here too
        FakeImapSession examined = selected("EXAMINE " + box);
        before = wholeByMailroom.get();
        // (James's own FETCH would store \Seen here: the reference is its answer to the .PEEK form)
        run(mailroom, examined, "NOOP");
        assertThat(run(mailroom, examined, "FETCH 1 (BODY[])")).isEqualTo(run(jamesEncoded, examined, "FETCH 1 (BODY.PEEK[])"));
        assertThat(run(mailroom, examined, "UID FETCH 5 (BODY[TEXT])"))
            .isEqualTo(run(jamesEncoded, examined, "UID FETCH 5 (BODY.PEEK[TEXT])"));
        assertThat(run(mailroom, examined, "FETCH 1:2 (RFC822 UID)"))
            .isEqualTo(run(jamesEncoded, examined, "FETCH 1:2 (BODY.PEEK[] UID)").replace("BODY[]", "RFC822"))
            .contains("* 2 FETCH (UID 2 RFC822 {");
        assertThat(run(mailroom, examined, "FETCH 1 (FLAGS)")).contains("* 1 FETCH (FLAGS ())");
        assertThat(wholeByMailroom.get() - before).isEqualTo(4);

        // with QRESYNC every FETCH response carries UID and MODSEQ
        FakeImapSession qresync = session();
        run(mailroom, qresync, "ENABLE QRESYNC");
        run(mailroom, qresync, "EXAMINE " + box);
        assertThat(assertSameAsJamesEncoded(qresync, "FETCH 2 (BODY.PEEK[])")).contains("* 2 FETCH (MODSEQ (");
        assertSameAsJamesEncoded(qresync, "FETCH 1:3 (MODSEQ FLAGS BODY.PEEK[])");
    }

    @Test
    void wholeMessageAfterChangesByAnotherSessionAsJames() throws Exception {
        selected("SELECT " + box);
        FakeImapSession watchedByMailroom = selected("SELECT " + box);
        FakeImapSession watchedByJames = selected("SELECT " + box);
        FakeImapSession other = selected("SELECT " + box);
        run(mailroom, other, "STORE 2 +FLAGS (\\Flagged $Important)");
        run(mailroom, other, "STORE 3 +FLAGS (\\Deleted)");
        run(mailroom, other, "EXPUNGE");
        append(flags(Flags.Flag.SEEN), "2025-12-31T23:00:00Z");
        for (String command : new String[] {"FETCH 1:4 (FLAGS BODY.PEEK[])", "UID FETCH 1:* (BODY.PEEK[] FLAGS)"}) {
            String fromMailroom = run(mailroom, watchedByMailroom, command);
            String fromJames = run(jamesEncoded, watchedByJames, command);
            assertThat(fromMailroom).as(command).isEqualTo(fromJames);
        }
    }

    @Test
    void bodyThatSetsSeenAndPartialsGoToJames() throws Exception {
        FakeImapSession session = selected("SELECT " + box);
        int before = wholeByMailroom.get();
        String seen = run(mailroom, session, "FETCH 1 (BODY[])");
        // James's side effect: \Seen stored, with the FETCH FLAGS that reports it
        assertThat(seen).contains("FLAGS (\\Recent \\Seen)").contains("BODY[] {").contains("a OK");
        assertThat(run(mailroom, session, "FETCH 1 (FLAGS)")).contains("\\Seen");
        run(mailroom, session, "FETCH 2 (BODY.PEEK[]<0.10>)");
        run(mailroom, session, "FETCH 2 (BODY.PEEK[1])");
        run(mailroom, session, "FETCH 2 (BODY.PEEK[HEADER])");
        run(mailroom, session, "FETCH 2 (BODY.PEEK[] ENVELOPE)");
        run(mailroom, session, "FETCH 2 (BODY.PEEK[] BODY.PEEK[TEXT])");
        assertThat(wholeByMailroom.get()).isEqualTo(before);
    }

    @Test
    void otherItemsAndModifiersGoToJames() throws Exception {
        FakeImapSession session = selected("SELECT " + box);
        int before = encodedByMailroom.get();
        run(mailroom, session, "FETCH 1 (UID BODY.PEEK[1])");
        run(mailroom, session, "FETCH 1 (FLAGS BODY.PEEK[HEADER]<0.10>)");
        run(mailroom, session, "ENABLE CONDSTORE");
        run(mailroom, session, "FETCH 1:* (FLAGS) (CHANGEDSINCE 1)");
        assertThat(encodedByMailroom.get()).isEqualTo(before);
    }

    /** Mailroom's answer, after checking James's is the same. */
    private String assertSameAsJames(FakeImapSession session, String command) {
        return FetchAgainstJames.assertSameAnswer(mailroom, james, session, command);
    }

    /** As {@link #assertSameAsJames}, against James's FETCH with James's own encoder (literals streamed). */
    private String assertSameAsJamesEncoded(FakeImapSession session, String command) {
        String fromMailroom = FetchAgainstJames.assertSameAnswer(mailroom, jamesEncoded, session, command);
        assertThat(fromMailroom).as(command).contains("a OK");
        return fromMailroom;
    }

    private FakeImapSession selected(String select) {
        return fixture.selected(mailroom, select);
    }

    private FakeImapSession session() {
        return fixture.session();
    }

    private static String run(ImapRequestStreamHandler handler, FakeImapSession session, String command) {
        return FetchAgainstJames.run(handler, session, command);
    }

    private void append(Flags flags, String internalDate) throws Exception {
        MessageManager mailbox = mailboxManager.getMailbox(inbox, owner);
        String message = "From: a@example.test\r\nTo: b@example.test\r\nSubject: m " + internalDate + "\r\n\r\nbody "
            + internalDate + "\r\n";
        mailbox.appendMessage(MessageManager.AppendCommand.builder()
            .withFlags(flags)
            .withInternalDate(Date.from(Instant.parse(internalDate)))
            .recent()
            .build(message.getBytes(StandardCharsets.US_ASCII)), owner);
    }

    private void appendRaw(String message) throws Exception {
        mailboxManager.getMailbox(inbox, owner).appendMessage(MessageManager.AppendCommand.builder()
            .build(message.getBytes(StandardCharsets.US_ASCII)), owner);
    }

    private static Flags flags(Flags.Flag... system) {
        Flags flags = new Flags();
        for (Flags.Flag flag : system) {
            flags.add(flag);
        }
        return flags;
    }
}
