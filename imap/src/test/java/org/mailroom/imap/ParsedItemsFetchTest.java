package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.imap.decode.main.ImapRequestStreamHandler;
import org.apache.james.imap.encode.FakeImapSession;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imap.processor.fetch.FetchProcessor;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.model.MailboxPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mailroom's FETCH of ENVELOPE, BODY, BODYSTRUCTURE and header sections ({@link ParsedItemsFetch}) against James's own
 * {@code FetchProcessor} and encoder, on the same session state (real Derby store, James's decoder and selected
 * mailbox), over messages of every shape a parser meets: multipart, nested, message/rfc822, broken MIME, 8-bit and
 * encoded-word headers, groups, no body, no header, LF-only lines, attachments. Byte for byte, first answer (parsed
 * by James's code into the cache) and second (from the cache). With {@code -Dmailroom.test.corpus=DIR} the messages
 * of DIR (*.eml, e.g. the SpamAssassin corpus unpacked) are compared too.
 */
class ParsedItemsFetchTest {
    @TempDir
    static Path directory;

    private static FetchAgainstJames fixture;
    private static MailboxManager mailboxManager;
    private static ImapRequestStreamHandler mailroom;
    private static ImapRequestStreamHandler james;
    private static final AtomicInteger linesByMailroom = new AtomicInteger();
    private static int messages;

    /** The commands compared; each has items this path answers. */
    private static final String[] COMMANDS = {
        "FETCH 1:* (ENVELOPE)",
        "FETCH 1:* (BODYSTRUCTURE)",
        "FETCH 1:* (BODY)",
        "FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE)",
        "FETCH 1:* (INTERNALDATE RFC822.SIZE BODY ENVELOPE UID FLAGS)",
        "FETCH 1:* (BODY.PEEK[HEADER.FIELDS (From To Cc Subject References In-Reply-To Message-ID Delivered-To)])",
        "FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (Subject)])",
        "FETCH 1:* (BODY.PEEK[HEADER.FIELDS (X-Not-There)])",
        "FETCH 1:* (BODY.PEEK[HEADER.FIELDS.NOT (Subject Received)] FLAGS)",
        "FETCH 1:* (UID BODY.PEEK[HEADER])",
        "FETCH 1:* (UID RFC822.HEADER)",
        "FETCH 1:* (ENVELOPE BODY.PEEK[HEADER.FIELDS (From)] RFC822.SIZE BODY.PEEK[HEADER])",
        "UID FETCH 2:4,7,9:* (BODYSTRUCTURE ENVELOPE)",
        "FETCH 3,1,5 (BODY.PEEK[HEADER.FIELDS (message-id SUBJECT)] UID)",
    };

    @BeforeAll
    static void start() throws Exception {
        fixture = new FetchAgainstJames(directory);
        mailboxManager = fixture.mailboxManager;
        ImapEncoder jamesEncoder = fixture.jamesEncoder;
        ImapEncoder counting = (message, composer) -> {
            if (message instanceof FetchLines) {
                linesByMailroom.incrementAndGet();
            }
            new MailroomImapEncoder(jamesEncoder).encode(message, composer);
        };
        mailroom = FetchAgainstJames.handler(fixture.mailroomChain, counting);
        james = FetchAgainstJames.handler(fixture.jamesFetch, jamesEncoder);

        MailboxSession owner = mailboxManager.createSystemSession(Username.of(ImapTestServers.USER));
        MailboxPath box = MailboxPath.forUser(owner.getUser(), "shapes");
        mailboxManager.createMailbox(box, owner);
        MessageManager mailbox = mailboxManager.getMailbox(box, owner);
        List<byte[]> all = new ArrayList<>(MessageShapes.all());
        String corpus = System.getProperty("mailroom.test.corpus");
        if (corpus != null) {
            try (Stream<Path> files = Files.walk(Path.of(corpus))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".eml")).sorted().toList()) {
                    all.add(MessageShapes.withoutMboxLine(Files.readAllBytes(file)));
                }
            }
        }
        int i = 0;
        for (byte[] message : all) {
            Flags flags = new Flags();
            if (i % 3 == 0) {
                flags.add(Flags.Flag.SEEN);
            }
            if (i % 4 == 1) {
                flags.add("$Label" + i % 5);
            }
            mailbox.appendMessage(MessageManager.AppendCommand.builder().withFlags(flags)
                .withInternalDate(Date.from(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(3_600L * i)))
                .recent().build(message), owner);
            i++;
        }
        messages = all.size();
        System.out.println("ParsedItemsFetchTest: " + messages + " messages compared");
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void everyShapeAsJamesParsedThenKept() throws Exception {
        FakeImapSession session = selected("SELECT shapes");
        int before = linesByMailroom.get();
        for (int round = 0; round < 2; round++) {
            for (String command : COMMANDS) {
                String fromMailroom = assertSameAsJames(session, command);
                assertThat(fromMailroom).as(command).contains(" FETCH (").endsWith("a OK FETCH completed.\r\n");
            }
        }
        assertThat(linesByMailroom.get() - before).as("answered by Mailroom's path").isGreaterThanOrEqualTo(2 * COMMANDS.length);
        assertThat(run(mailroom, session, "FETCH 1 (ENVELOPE)")).contains("ENVELOPE (\"Mon, 3 Feb 2020 10:00:00 +0000\"");
        assertThat(run(mailroom, session, "FETCH 2 (BODYSTRUCTURE)")).contains("\"MIXED\"").contains("\"RFC822\"");
        assertThat(messages).isGreaterThanOrEqualTo(MessageShapes.all().size());
    }

    @Test
    void withQresyncAndInAnExaminedMailboxAsJames() throws Exception {
        FakeImapSession qresync = session();
        run(mailroom, qresync, "ENABLE QRESYNC");
        run(mailroom, qresync, "EXAMINE shapes");
        assertThat(assertSameAsJames(qresync, "FETCH 1:3 (ENVELOPE)")).contains("* 1 FETCH (MODSEQ (");
        assertSameAsJames(qresync, "FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From)])");

        FakeImapSession examined = selected("EXAMINE shapes");
        run(mailroom, examined, "NOOP");
        // BODY[HEADER] changes nothing after EXAMINE, so it is answered here: James's answer to the .PEEK form
        assertThat(run(mailroom, examined, "FETCH 1:4 (BODY[HEADER] FLAGS)"))
            .isEqualTo(run(james, examined, "FETCH 1:4 (BODY.PEEK[HEADER] FLAGS)"));
    }

    @Test
    void afterAnotherSessionsChangesAsJames() throws Exception {
        MailboxSession owner = mailboxManager.createSystemSession(Username.of(ImapTestServers.USER));
        MailboxPath path = MailboxPath.forUser(owner.getUser(), "changing");
        mailboxManager.createMailbox(path, owner);
        MessageManager mailbox = mailboxManager.getMailbox(path, owner);
        for (byte[] message : MessageShapes.all()) {
            mailbox.appendMessage(MessageManager.AppendCommand.builder().build(message), owner);
        }
        selected("SELECT changing"); // takes \Recent, so the two watchers below see the same flags
        FakeImapSession byMailroom = selected("SELECT changing");
        FakeImapSession byJames = selected("SELECT changing");
        run(mailroom, byMailroom, "FETCH 1:* (ENVELOPE)"); // parses and keeps them
        FakeImapSession other = selected("SELECT changing");
        run(mailroom, other, "STORE 2,5 +FLAGS (\\Deleted)");
        run(mailroom, other, "EXPUNGE");
        mailbox.appendMessage(MessageManager.AppendCommand.builder().build(MessageShapes.all().get(1)), owner);
        for (String command : new String[] {"FETCH 1:* (UID FLAGS ENVELOPE)", "UID FETCH 1:* (BODYSTRUCTURE)",
            "FETCH 1:* (BODY.PEEK[HEADER.FIELDS (Subject)])"}) {
            assertThat(run(mailroom, byMailroom, command)).as(command).isEqualTo(run(james, byJames, command));
        }
    }

    @Test
    void sectionsWithPartsTextOrSeenAndBodyBesideASectionGoToJames() throws Exception {
        FakeImapSession session = selected("SELECT shapes");
        int before = linesByMailroom.get();
        for (String command : new String[] {"FETCH 2 (BODY.PEEK[1.MIME])", "FETCH 2 (BODY.PEEK[2.HEADER])",
            "FETCH 2 (ENVELOPE BODY.PEEK[TEXT])", "FETCH 2 (BODY BODY.PEEK[HEADER])",
            "FETCH 2 (BODY.PEEK[HEADER]<0.20>)", "FETCH 2 (ENVELOPE BODY.PEEK[])"}) {
            assertThat(run(mailroom, session, command)).as(command).contains("a OK");
        }
        assertThat(linesByMailroom.get()).isEqualTo(before);
        // BODY[HEADER] in a selected mailbox stores \Seen: James's side effect, James's FETCH FLAGS
        assertThat(run(mailroom, session, "FETCH 2 (BODY[HEADER])")).contains("\\Seen");
        assertThat(linesByMailroom.get()).isEqualTo(before);
    }

    private static String assertSameAsJames(FakeImapSession session, String command) {
        return FetchAgainstJames.assertSameAnswer(mailroom, james, session, command);
    }

    private static FakeImapSession selected(String select) {
        return fixture.selected(mailroom, select);
    }

    private static FakeImapSession session() {
        return fixture.session();
    }

    private static String run(ImapRequestStreamHandler handler, FakeImapSession session, String command) {
        return FetchAgainstJames.run(handler, session, command);
    }
}
