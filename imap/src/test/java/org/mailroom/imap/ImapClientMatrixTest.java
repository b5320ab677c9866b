package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocketFactory;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.search.AndTerm;
import jakarta.mail.search.BodyTerm;
import jakarta.mail.search.ComparisonTerm;
import jakarta.mail.search.FlagTerm;
import jakarta.mail.search.FromStringTerm;
import jakarta.mail.search.ReceivedDateTerm;
import jakarta.mail.search.SubjectTerm;

/**
 * A real client (Angus Mail over implicit TLS) and a raw TLS client through the IMAP features a mail client uses:
 * LIST, SELECT/EXAMINE, FETCH sections and structures, ENVELOPE, SEARCH, STORE, COPY, MOVE, EXPUNGE, APPEND with
 * literals, IDLE across sessions, CONDSTORE and QRESYNC. Each test works as its own user.
 */
class ImapClientMatrixTest {

    @RegisterExtension
    static final OneImapServer testServer = OneImapServer.implicitTlsWithoutThrottle();
    private static SSLSocketFactory tls;

    static final String FORWARD = String.join("\r\n",
        "From: \"Bob Sender\" <bob@example.org>",
        "To: Alice <alice@example.test>, carol@example.net",
        "Cc: dave@example.net",
        "Reply-To: replies@example.org",
        "Subject: Quarterly report",
        "Date: Mon, 3 Feb 2020 10:00:00 +0000",
        "Message-ID: <quarterly@example.org>",
        "In-Reply-To: <earlier@example.org>",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"outer\"",
        "",
        "--outer",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "See the forwarded message.",
        "--outer",
        "Content-Type: message/rfc822",
        "Content-Description: forwarded",
        "",
        "From: carol@example.net",
        "To: bob@example.org",
        "Subject: Original note",
        "Date: Sun, 2 Feb 2020 09:00:00 +0000",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "Inner body line.",
        "--outer--",
        "");

    static final String INNER_HEADER = String.join("\r\n",
        "From: carol@example.net",
        "To: bob@example.org",
        "Subject: Original note",
        "Date: Sun, 2 Feb 2020 09:00:00 +0000",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
        "", "");

    @BeforeAll
    static void startServer() throws Exception {
        tls = testServer.fixture().certificate.clientSocketFactory();
    }

    // ---------------------------------------------------------------- helpers

    private static Session session() {
        Properties props = new Properties();
        props.put("mail.imaps.ssl.socketFactory", tlsFactory());
        props.put("mail.imaps.ssl.checkserveridentity", "true");
        props.put("mail.imaps.connectiontimeout", "10000");
        props.put("mail.imaps.timeout", "15000");
        if (Boolean.getBoolean("matrix.debug")) {
            props.put("mail.debug", "true");
        }
        return Session.getInstance(props);
    }

    private static SSLSocketFactory tlsFactory() {
        return tls;
    }

    private static Store connect(String user) throws Exception {
        Store store = session().getStore("imaps");
        store.connect("127.0.0.1", testServer.server().port(), user, ImapTestServers.PASSWORD);
        return store;
    }

    private static TlsImapClient raw(String user) throws Exception {
        TlsImapClient client = new TlsImapClient(tls, testServer.server().port());
        assertThat(client.greeting()).startsWith("* OK");
        assertThat(TlsImapClient.last(client.login(user, ImapTestServers.PASSWORD))).contains("OK");
        return client;
    }

    private static String message(String from, String subject, String date, String body) {
        return "From: " + from + "\r\nTo: alice@example.test\r\nSubject: " + subject + "\r\nDate: " + date
            + "\r\nMessage-ID: <" + subject.replace(' ', '-') + "@example.org>\r\n\r\n" + body + "\r\n";
    }

    private static void ok(List<String> lines) {
        assertThat(TlsImapClient.last(lines)).as(String.join("\n", lines)).matches("\\S+ OK.*");
    }

    /** The single untagged FETCH response of {@code lines}. */
    private static String fetched(List<String> lines) {
        ok(lines);
        List<String> fetches = lines.stream().filter(l -> l.matches("(?s)\\* \\d+ FETCH .*")).toList();
        assertThat(fetches).as(String.join("\n", lines)).hasSize(1);
        return fetches.get(0);
    }

    private static String searchResult(List<String> lines) {
        if (Boolean.getBoolean("matrix.debug")) {
            System.out.println("SEARCH -> " + lines);
        }
        ok(lines);
        return lines.stream().filter(l -> l.startsWith("* SEARCH")).findFirst().orElseThrow()
            .substring("* SEARCH".length()).trim();
    }

    // ---------------------------------------------------------------- tests

    @Test
    void loginListSelectExamine() throws Exception {
        String user = testServer.fixture().addUser("matrix-list");
        Store store = connect(user);
        try {
            List<String> names = Arrays.stream(store.getDefaultFolder().list("*")).map(Folder::getFullName).toList();
            assertThat(names).contains("INBOX", "Priority", "Spam", "Sent", "Drafts", "Trash", "Archive");

            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            assertThat(inbox.getMode()).isEqualTo(Folder.READ_WRITE);
            assertThat(inbox.getMessageCount()).isZero();
            assertThat(((UIDFolder) inbox).getUIDValidity()).isPositive();
            inbox.close(false);

            inbox.open(Folder.READ_ONLY); // EXAMINE
            assertThat(inbox.getMode()).isEqualTo(Folder.READ_ONLY);
            inbox.close(false);
        } finally {
            store.close();
        }
        try (TlsImapClient imap = raw(user)) {
            List<String> select = imap.command("SELECT INBOX");
            ok(select);
            assertThat(TlsImapClient.last(select)).contains("[READ-WRITE]");
            assertThat(select).anyMatch(l -> l.equals("* 0 EXISTS"));
            assertThat(select).anyMatch(l -> l.startsWith("* OK [UIDVALIDITY "));
            assertThat(select).anyMatch(l -> l.startsWith("* OK [UIDNEXT "));
            assertThat(select).anyMatch(l -> l.startsWith("* OK [PERMANENTFLAGS (") && l.contains("\\*"));
            List<String> examine = imap.command("EXAMINE INBOX");
            ok(examine);
            assertThat(TlsImapClient.last(examine)).contains("[READ-ONLY]");
            List<String> list = imap.command("LIST \"\" \"*\"");
            ok(list);
            assertThat(list).anyMatch(l -> l.startsWith("* LIST (") && l.contains("\\Junk") && l.endsWith("\"Spam\""));
            assertThat(list).anyMatch(l -> l.startsWith("* LIST (") && l.contains("\\Sent") && l.endsWith("\"Sent\""));
        }
    }

    @Test
    void appendWithLiteralsThenFetchSectionsAndPartial() throws Exception {
        String user = testServer.fixture().addUser("matrix-fetch");
        try (TlsImapClient imap = raw(user)) {
            List<String> append = imap.append("INBOX", "(\\Seen) \"03-Feb-2020 10:00:05 +0000\"", FORWARD);
            ok(append);
            assertThat(TlsImapClient.last(append)).containsPattern("\\[APPENDUID \\d+ 1]");
            // A non-synchronizing literal (LITERAL+) too.
            String plain = message("carol@example.net", "Plus literal", "Tue, 4 Feb 2020 10:00:00 +0000", "Hello");
            String t = imap.nextTag();
            imap.send(t + " APPEND INBOX {" + plain.getBytes(StandardCharsets.UTF_8).length + "+}\r\n" + plain + "\r\n");
            ok(imap.readUntilTagged(t));

            ok(imap.command("SELECT INBOX"));

            assertThat(fetched(imap.command("FETCH 1 BODY.PEEK[1]")))
                .isEqualTo("* 1 FETCH (BODY[1] {26}\r\nSee the forwarded message.)");
            assertThat(fetched(imap.command("FETCH 1 BODY.PEEK[1.MIME]")))
                .isEqualTo("* 1 FETCH (BODY[1.MIME] {46}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n)");
            assertThat(fetched(imap.command("FETCH 1 BODY.PEEK[HEADER.FIELDS (Subject)]")))
                .isEqualTo("* 1 FETCH (BODY[HEADER.FIELDS (Subject)] {29}\r\nSubject: Quarterly report\r\n\r\n)");
            assertThat(fetched(imap.command("FETCH 1 BODY.PEEK[]<0.10>")))
                .isEqualTo("* 1 FETCH (BODY[]<0> {10}\r\nFrom: \"Bob)");
            assertThat(fetched(imap.command("FETCH 1 BODY.PEEK[]<6.5>")))
                .isEqualTo("* 1 FETCH (BODY[]<6> {5}\r\n\"Bob )");
            int size = FORWARD.getBytes(StandardCharsets.UTF_8).length;
            assertThat(fetched(imap.command("FETCH 1 RFC822.SIZE"))).contains("RFC822.SIZE " + size);
            assertThat(fetched(imap.command("FETCH 1 BODY.PEEK[]"))).endsWith("{" + size + "}\r\n" + FORWARD + ")");

            String structure = fetched(imap.command("FETCH 1 BODYSTRUCTURE"));
            assertThat(structure)
                .startsWith("* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"charset\" \"us-ascii\") NIL NIL \"7BIT\" 26 ")
                .contains("(\"MESSAGE\" \"RFC822\" NIL NIL \"forwarded\" \"7BIT\" 189 (\"Sun, 2 Feb 2020 09:00:00 +0000\" "
                    + "\"Original note\" ((NIL NIL \"carol\" \"example.net\"))")
                .contains(") (\"TEXT\" \"PLAIN\" (\"charset\" \"us-ascii\") NIL NIL \"7BIT\" 16 ")
                .contains("\"Original note\"")
                .contains("\"MIXED\" (\"boundary\" \"outer\")");

            // Sections inside the attached message/rfc822 (a James 3.8.1 gap per DESIGN.md).
            assertThat(fetched(imap.command("FETCH 1 BODY.PEEK[2.HEADER]")))
                .isEqualTo("* 1 FETCH (BODY[2.HEADER] {" + INNER_HEADER.length() + "}\r\n" + INNER_HEADER + ")");
            assertThat(fetched(imap.command("FETCH 1 BODY.PEEK[2.1]")))
                .isEqualTo("* 1 FETCH (BODY[2.1] {16}\r\nInner body line.)");
            assertThat(fetched(imap.command("FETCH 1 BODY.PEEK[2.TEXT]")))
                .isEqualTo("* 1 FETCH (BODY[2.TEXT] {16}\r\nInner body line.)");

            // The \Seen flag from APPEND; BODY.PEEK leaves flags alone, BODY[] sets \Seen.
            assertThat(fetched(imap.command("FETCH 2 FLAGS"))).doesNotContain("\\Seen");
            assertThat(fetched(imap.command("FETCH 2 BODY[TEXT]"))).contains("\\Seen").contains("Hello");
            assertThat(fetched(imap.command("FETCH 1 INTERNALDATE"))).contains("INTERNALDATE \"03-Feb-2020 10:00:05 +0000\"");
        }

        Store store = connect(user);
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            Message first = inbox.getMessage(1);
            assertThat(first.getSubject()).isEqualTo("Quarterly report");
            Multipart parts = (Multipart) first.getContent();
            assertThat(parts.getCount()).isEqualTo(2);
            assertThat(parts.getBodyPart(0).getContent()).isEqualTo("See the forwarded message.");
            assertThat(parts.getBodyPart(1).isMimeType("message/rfc822")).isTrue();
            inbox.close(false);
        } finally {
            store.close();
        }
    }

    @Test
    void envelopeFields() throws Exception {
        String user = testServer.fixture().addUser("matrix-envelope");
        try (TlsImapClient imap = raw(user)) {
            ok(imap.append("INBOX", null, FORWARD));
            ok(imap.command("SELECT INBOX"));
            String envelope = fetched(imap.command("FETCH 1 ENVELOPE"));
            assertThat(envelope).isEqualTo("* 1 FETCH (ENVELOPE (\"Mon, 3 Feb 2020 10:00:00 +0000\" \"Quarterly report\" "
                + "((\"Bob Sender\" NIL \"bob\" \"example.org\")) ((\"Bob Sender\" NIL \"bob\" \"example.org\")) "
                + "((NIL NIL \"replies\" \"example.org\")) "
                + "((\"Alice\" NIL \"alice\" \"example.test\")(NIL NIL \"carol\" \"example.net\")) "
                + "((NIL NIL \"dave\" \"example.net\")) NIL \"<earlier@example.org>\" \"<quarterly@example.org>\"))");
        }
        Store store = connect(user);
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            MimeMessage m = (MimeMessage) inbox.getMessage(1);
            assertThat(m.getFrom()[0].toString()).isEqualTo("Bob Sender <bob@example.org>");
            assertThat(m.getRecipients(Message.RecipientType.TO)).hasSize(2);
            assertThat(m.getRecipients(Message.RecipientType.CC)[0].toString()).isEqualTo("dave@example.net");
            assertThat(m.getReplyTo()[0].toString()).isEqualTo("replies@example.org");
            assertThat(m.getMessageID()).isEqualTo("<quarterly@example.org>");
            assertThat(m.getSentDate()).isEqualTo(Date.from(ZonedDateTime.of(2020, 2, 3, 10, 0, 0, 0, ZoneOffset.UTC).toInstant()));
            inbox.close(false);
        } finally {
            store.close();
        }
    }

    @Test
    void searchTextFromDatesAndSequenceSets() throws Exception {
        String user = testServer.fixture().addUser("matrix-search");
        try (TlsImapClient imap = raw(user)) {
            ok(imap.append("INBOX", "\"01-Feb-2020 12:00:00 +0000\"",
                message("bob@example.org", "Alpha", "Sat, 1 Feb 2020 11:00:00 +0000", "zebra crossing")));
            ok(imap.append("INBOX", "\"03-Feb-2020 12:00:00 +0000\"",
                message("carol@example.net", "Beta", "Mon, 3 Feb 2020 11:00:00 +0000", "giraffe")));
            ok(imap.append("INBOX", "\"05-Feb-2020 12:00:00 +0000\"",
                message("Carol Two <carol@example.net>", "Gamma zebra", "Wed, 5 Feb 2020 11:00:00 +0000", "okapi")));
            ok(imap.command("SELECT INBOX"));

            assertThat(searchResult(imap.command("SEARCH TEXT zebra"))).isEqualTo("1 3");
            assertThat(searchResult(imap.command("SEARCH BODY giraffe"))).isEqualTo("2");
            assertThat(searchResult(imap.command("SEARCH SUBJECT gamma"))).isEqualTo("3");
            assertThat(searchResult(imap.command("SEARCH FROM carol"))).isEqualTo("2 3");
            assertThat(searchResult(imap.command("SEARCH FROM \"Carol Two\""))).isEqualTo("3");
            assertThat(searchResult(imap.command("SEARCH SINCE 3-Feb-2020"))).isEqualTo("2 3");
            assertThat(searchResult(imap.command("SEARCH BEFORE 3-Feb-2020"))).isEqualTo("1");
            assertThat(searchResult(imap.command("SEARCH ON 3-Feb-2020"))).isEqualTo("2");
            assertThat(searchResult(imap.command("SEARCH ON 2-Feb-2020"))).isEmpty();
            assertThat(searchResult(imap.command("SEARCH SENTSINCE 5-Feb-2020"))).isEqualTo("3");
            assertThat(searchResult(imap.command("SEARCH SENTBEFORE 3-Feb-2020"))).isEqualTo("1");
            assertThat(searchResult(imap.command("SEARCH SENTON 3-Feb-2020"))).isEqualTo("2");
            assertThat(searchResult(imap.command("SEARCH 2:3"))).isEqualTo("2 3");
            assertThat(searchResult(imap.command("SEARCH 1,3"))).isEqualTo("1 3");
            assertThat(searchResult(imap.command("SEARCH 2:* FROM carol"))).isEqualTo("2 3");
            assertThat(searchResult(imap.command("SEARCH 1:2 TEXT zebra"))).isEqualTo("1");
            // James 3.8.1's search index narrowed to the first sequence set even under NOT or OR.
            assertThat(searchResult(imap.command("SEARCH NOT 2"))).isEqualTo("1 3");
            assertThat(searchResult(imap.command("SEARCH OR 1 3"))).isEqualTo("1 3");
            assertThat(searchResult(imap.command("SEARCH OR UID 1 FROM \"Carol Two\""))).isEqualTo("1 3");
            assertThat(searchResult(imap.command("SEARCH NOT UID 1:2 TEXT zebra"))).isEqualTo("3");
            assertThat(searchResult(imap.command("UID SEARCH NOT 1"))).isEqualTo("2 3");
            assertThat(searchResult(imap.command("UID SEARCH UID 2:*"))).isEqualTo("2 3");
            assertThat(searchResult(imap.command("UID SEARCH 1:2"))).isEqualTo("1 2");
        }
        Store store = connect(user);
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.search(new FromStringTerm("carol"))).extracting(Message::getMessageNumber).containsExactly(2, 3);
            assertThat(inbox.search(new SubjectTerm("alpha"))).extracting(Message::getMessageNumber).containsExactly(1);
            assertThat(inbox.search(new BodyTerm("okapi"))).extracting(Message::getMessageNumber).containsExactly(3);
            Date feb3 = Date.from(ZonedDateTime.of(2020, 2, 3, 0, 0, 0, 0, ZoneOffset.UTC).toInstant());
            assertThat(inbox.search(new ReceivedDateTerm(ComparisonTerm.GE, feb3)))
                .extracting(Message::getMessageNumber).containsExactly(2, 3);
            assertThat(inbox.search(new AndTerm(new ReceivedDateTerm(ComparisonTerm.LT, feb3), new BodyTerm("zebra"))))
                .extracting(Message::getMessageNumber).containsExactly(1);
            inbox.close(false);
        } finally {
            store.close();
        }
    }

    @Test
    void storeFlagsAndKeywords() throws Exception {
        String user = testServer.fixture().addUser("matrix-store");
        try (TlsImapClient imap = raw(user)) {
            for (int i = 1; i <= 3; i++) {
                ok(imap.append("INBOX", null, message("bob@example.org", "m" + i, "Mon, 3 Feb 2020 10:00:00 +0000", "b")));
            }
            ok(imap.command("SELECT INBOX"));
            assertThat(fetched(imap.command("STORE 1 +FLAGS (\\Flagged $Important)")))
                .matches("\\* 1 FETCH \\(FLAGS \\((?=.*\\\\Flagged)(?=.*\\$Important)[^)]*\\)\\)");
            List<String> keyword = imap.command("STORE 2 +FLAGS ($Junk)");
            ok(keyword);
            // A keyword a client sees in FETCH FLAGS must also be in the FLAGS response (RFC 3501 7.2.6).
            assertThat(keyword).anyMatch(l -> l.startsWith("* FLAGS (") && l.contains("$Junk"));
            List<String> silent = imap.command("STORE 3 +FLAGS.SILENT (\\Seen)");
            ok(silent);
            assertThat(silent).noneMatch(l -> l.contains("FETCH"));
            assertThat(fetched(imap.command("STORE 1 -FLAGS ($Important)"))).doesNotContain("$Important").contains("\\Flagged");
            assertThat(searchResult(imap.command("SEARCH KEYWORD $Junk"))).isEqualTo("2");
            assertThat(searchResult(imap.command("SEARCH FLAGGED"))).isEqualTo("1");
            assertThat(searchResult(imap.command("SEARCH SEEN"))).isEqualTo("3");
            assertThat(searchResult(imap.command("SEARCH UNKEYWORD $Junk"))).isEqualTo("1 3");
            assertThat(fetched(imap.command("UID STORE 2 FLAGS ($NotJunk)"))).contains("UID 2").contains("$NotJunk")
                .doesNotContain("$Junk ");
        }
        Store store = connect(user);
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            Message m = inbox.getMessage(3);
            m.setFlags(new Flags("$Important"), true);
            m.setFlag(Flags.Flag.SEEN, false);
            assertThat(inbox.search(new FlagTerm(new Flags("$Important"), true))).extracting(Message::getMessageNumber)
                .containsExactly(3);
            assertThat(inbox.getMessage(3).getFlags().contains(Flags.Flag.SEEN)).isFalse();
            assertThat(inbox.getMessage(2).getFlags().contains("$NotJunk")).isTrue();
            assertThat(inbox.getPermanentFlags().contains(Flags.Flag.USER)).isTrue();
            inbox.close(false);
        } finally {
            store.close();
        }
    }

    @Test
    void copyMoveExpunge() throws Exception {
        String user = testServer.fixture().addUser("matrix-copy");
        Store store = connect(user);
        try {
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            Session session = session();
            Message[] messages = new Message[4];
            for (int i = 0; i < 4; i++) {
                messages[i] = new MimeMessage(session, new ByteArrayInputStream(
                    message("bob@example.org", "n" + (i + 1), "Mon, 3 Feb 2020 10:00:00 +0000", "body " + (i + 1))
                        .getBytes(StandardCharsets.UTF_8)));
            }
            inbox.appendMessages(messages);
            inbox.open(Folder.READ_WRITE);
            assertThat(inbox.getMessageCount()).isEqualTo(4);

            Folder archive = store.getFolder("Archive");
            inbox.copyMessages(new Message[] {inbox.getMessage(1)}, archive);
            IMAPFolder trash = (IMAPFolder) store.getFolder("Trash");
            Message moved = inbox.getMessage(2);
            inbox.moveMessages(new Message[] {moved}, trash);
            // Angus keeps an expunged message's number until the folder is reopened; the EXPUNGE marks it.
            assertThat(moved.isExpunged()).isTrue();
            inbox.close(false);
            inbox.open(Folder.READ_WRITE);
            assertThat(inbox.getMessageCount()).isEqualTo(3);
            assertThat(inbox.getMessage(2).getSubject()).isEqualTo("n3");

            inbox.getMessage(1).setFlag(Flags.Flag.DELETED, true);
            Message[] expunged = inbox.expunge();
            assertThat(expunged).hasSize(1);
            assertThat(inbox.getMessageCount()).isEqualTo(2);
            assertThat(Arrays.stream(inbox.getMessages()).map(m -> {
                try {
                    return m.getSubject();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            })).containsExactly("n3", "n4");
            inbox.close(false);

            archive.open(Folder.READ_ONLY);
            assertThat(archive.getMessageCount()).isEqualTo(1);
            assertThat(archive.getMessage(1).getSubject()).isEqualTo("n1");
            archive.close(false);
            trash.open(Folder.READ_ONLY);
            assertThat(trash.getMessageCount()).isEqualTo(1);
            assertThat(trash.getMessage(1).getSubject()).isEqualTo("n2");
            trash.close(false);
        } finally {
            store.close();
        }

        try (TlsImapClient imap = raw(user)) {
            ok(imap.command("SELECT INBOX"));
            // UIDs now: 3 (n3) and 4 (n4).
            List<String> copy = imap.command("UID COPY 3 Archive");
            ok(copy);
            assertThat(TlsImapClient.last(copy)).containsPattern("\\[COPYUID \\d+ 3 2]");
            List<String> move = imap.command("UID MOVE 4 Trash");
            ok(move);
            // RFC 6851 3.3 shows COPYUID in an untagged OK before the EXPUNGEs; James 3.8.1 puts it in the tagged OK
            // (after them), which clients accept. Either place is accepted here.
            assertThat(move).anyMatch(l -> l.matches("(\\*|c\\d+) OK \\[COPYUID \\d+ 4 2].*"));
            assertThat(move).contains("* 2 EXPUNGE");
            ok(imap.command("STORE 1 +FLAGS.SILENT (\\Deleted)"));
            List<String> expunge = imap.command("EXPUNGE");
            ok(expunge);
            assertThat(expunge).contains("* 1 EXPUNGE");
            assertThat(imap.command("STATUS Archive (MESSAGES)")).anyMatch(l -> l.contains("MESSAGES 2"));
            assertThat(imap.command("STATUS Trash (MESSAGES)")).anyMatch(l -> l.contains("MESSAGES 2"));
            List<String> select = imap.command("SELECT INBOX");
            assertThat(select).contains("* 0 EXISTS");
        }
    }

    @Test
    void idleSeesMessageAppendedByAnotherSession() throws Exception {
        String user = testServer.fixture().addUser("matrix-idle");
        try (TlsImapClient idler = raw(user)) {
            ok(idler.command("SELECT INBOX"));
            String t = idler.nextTag();
            idler.send(t + " IDLE\r\n");
            assertThat(idler.readLine()).startsWith("+");

            Store store = connect(user);
            try {
                Folder inbox = store.getFolder("INBOX");
                inbox.appendMessages(new Message[] {new MimeMessage(session(), new ByteArrayInputStream(
                    message("bob@example.org", "While idle", "Mon, 3 Feb 2020 10:00:00 +0000", "x")
                        .getBytes(StandardCharsets.UTF_8)))});
            } finally {
                store.close();
            }
            String update;
            do {
                update = idler.readLine();
            } while (update != null && !update.matches("\\* \\d+ EXISTS"));
            assertThat(update).isEqualTo("* 1 EXISTS");
            idler.send("DONE\r\n");
            ok(idler.readUntilTagged(t));
            assertThat(fetched(idler.command("FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]"))).contains("Subject: While idle");
        }
    }

    @Test
    void condstoreChangedSinceAndQresyncVanished() throws Exception {
        String user = testServer.fixture().addUser("matrix-qresync");
        long uidValidity;
        long modseqBefore;
        try (TlsImapClient imap = raw(user)) {
            List<String> capability = imap.command("CAPABILITY");
            assertThat(capability.get(0)).contains(" CONDSTORE").contains(" QRESYNC");
            for (int i = 1; i <= 4; i++) {
                ok(imap.append("INBOX", null, message("bob@example.org", "q" + i, "Mon, 3 Feb 2020 10:00:00 +0000", "b")));
            }
            List<String> select = imap.command("SELECT INBOX (CONDSTORE)");
            ok(select);
            uidValidity = number(select, "\\* OK \\[UIDVALIDITY (\\d+)].*");
            modseqBefore = number(select, "\\* OK \\[HIGHESTMODSEQ (\\d+)].*");

            String stored = fetched(imap.command("STORE 2 +FLAGS (\\Flagged)"));
            assertThat(stored).containsPattern("MODSEQ \\((\\d+)\\)");
            long modseqOfStore = number(List.of(stored), ".*MODSEQ \\((\\d+)\\).*");
            assertThat(modseqOfStore).isGreaterThan(modseqBefore);

            List<String> changed = imap.command("FETCH 1:* (UID FLAGS) (CHANGEDSINCE " + modseqBefore + ")");
            ok(changed);
            assertThat(changed.stream().filter(l -> l.startsWith("* ") && l.contains(" FETCH ")).toList()).singleElement().asString()
                .startsWith("* 2 FETCH").contains("UID 2").contains("\\Flagged").contains("MODSEQ (" + modseqOfStore + ")");
            List<String> nothing = imap.command("FETCH 1:* (FLAGS) (CHANGEDSINCE " + modseqOfStore + ")");
            ok(nothing);
            assertThat(nothing).noneMatch(l -> l.contains("FETCH ("));

            // Conditional STORE: UNCHANGEDSINCE lower than the message's modseq fails with MODIFIED.
            List<String> conditional = imap.command("STORE 2 (UNCHANGEDSINCE " + modseqBefore + ") +FLAGS (\\Seen)");
            assertThat(TlsImapClient.last(conditional)).endsWith("OK [MODIFIED 2] STORE failed.");
            assertThat(searchResult(imap.command("SEARCH MODSEQ " + modseqOfStore))).startsWith("2");

            ok(imap.command("STORE 3 +FLAGS.SILENT (\\Deleted)"));
            ok(imap.command("EXPUNGE"));
        }
        try (TlsImapClient imap = raw(user)) {
            ok(imap.command("ENABLE QRESYNC"));
            List<String> select = imap.command("SELECT INBOX (QRESYNC (" + uidValidity + " " + modseqBefore + "))");
            ok(select);
            assertThat(select).as(String.join("\n", select)).contains("* VANISHED (EARLIER) 3");
            // RFC 7162 3.2.5 also wants FETCH (UID FLAGS MODSEQ) here for message UID 2, flagged since that modseq:
            // James 3.8.1 sends none (known gap, not asserted). The UID FETCH below is how clients get the changes.
            assertThat(select).contains("* 3 EXISTS");
            List<String> vanished = imap.command("UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + modseqBefore + " VANISHED)");
            ok(vanished);
            assertThat(vanished).contains("* VANISHED (EARLIER) 3");
            assertThat(vanished.stream().filter(l -> l.startsWith("* ") && l.contains(" FETCH ")).toList())
                .singleElement().asString().contains("UID 2").contains("\\Flagged");
        }
    }

    private static long number(List<String> lines, String regex) {
        Pattern pattern = Pattern.compile(regex);
        for (String line : lines) {
            Matcher m = pattern.matcher(line);
            if (m.matches()) {
                return Long.parseLong(m.group(1));
            }
        }
        throw new AssertionError("no line matches " + regex + " in " + lines);
    }
}
