package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults of James 3.8.1's IMAP decoding and session handling that Mailroom fixes, each over a real socket: bare-LF
 * line ends after a literal, BYE before the server closes, BYE to a session whose mailbox another session deleted,
 * unterminated quoted strings, literals refused by their announced size, a mailbox opened with EXAMINE left
 * unchanged, and INBOX still there after a RENAME of INBOX.
 */
@Timeout(60)
class ImapProtocolFixesTest {
    private static final int LITERAL_LIMIT = 64 * 1024;

    @RegisterExtension
    static final OneImapServer testServer = OneImapServer.plain(
        ImapLimits.defaults().withThrottle(LoginThrottle.Policy.disabled()).withMaxLiteralSize(LITERAL_LIMIT));

    private static ImapClient loggedIn(String user) throws Exception {
        ImapClient imap = new ImapClient(testServer.server().port());
        assertThat(ImapClient.last(imap.login(user, ImapTestServers.PASSWORD))).startsWith("t1 OK");
        return imap;
    }

    /** Reads lines until the server closes the connection (or the socket times out, which fails the test). */
    private static List<String> linesUntilClosed(ImapClient imap) throws Exception {
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = imap.readLine()) != null) {
            lines.add(line);
        }
        return lines;
    }

    @Test
    void literalEndingTheLineWithABareLfIsAnswered() throws Exception {
        String user = testServer.fixture().addUser("barelf");
        try (ImapClient imap = loggedIn(user)) {
            // The literal counts the CR of the message's last CRLF; the command line then ends with the bare LF.
            String message = "Subject: bare lf\r\n\r\nbody\r";
            String tag = imap.nextTag();
            imap.send(tag + " APPEND INBOX {" + message.length() + "+}\r\n" + message + "\n");
            assertThat(ImapClient.last(imap.readUntilTagged(tag))).startsWith(tag + " OK");
            // the same with a synchronizing literal, sent in two pieces
            tag = imap.nextTag();
            imap.send(tag + " APPEND INBOX {" + message.length() + "}\r\n");
            assertThat(imap.readLine()).startsWith("+");
            imap.send(message);
            Thread.sleep(100);
            imap.send("\n");
            assertThat(ImapClient.last(imap.readUntilTagged(tag))).startsWith(tag + " OK");
            assertThat(imap.command("STATUS INBOX (MESSAGES)")).anyMatch(l -> l.contains("MESSAGES 2"));
        }
    }

    @Test
    void unknownCommandBeforeLoginGetsByeBeforeTheConnectionCloses() throws Exception {
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            imap.send("a1 FROBNICATE\r\n");
            List<String> lines = linesUntilClosed(imap);
            assertThat(lines).containsExactly("* BYE Unknown command.");
        }
    }

    @Test
    void thirdFailedLoginGetsByeBeforeTheConnectionCloses() throws Exception {
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            assertThat(ImapClient.last(imap.login(ImapTestServers.USER, "wrong one"))).startsWith("t1 NO");
            assertThat(ImapClient.last(imap.login(ImapTestServers.USER, "wrong two"))).startsWith("t2 NO");
            imap.send("t3 LOGIN \"" + ImapTestServers.USER + "\" \"wrong three\"\r\n");
            assertThat(linesUntilClosed(imap)).containsExactly("* BYE Login failed too many times.");
        }
    }

    @Test
    void sessionWhoseSelectedMailboxIsDeletedElsewhereGetsBye() throws Exception {
        String user = testServer.fixture().addUser("deleted");
        try (ImapClient first = loggedIn(user); ImapClient second = loggedIn(user)) {
            assertThat(ImapClient.last(first.command("CREATE doomed"))).startsWith("t2 OK");
            assertThat(ImapClient.last(first.command("SELECT doomed"))).startsWith("t3 OK");
            assertThat(ImapClient.last(second.command("DELETE doomed"))).startsWith("t2 OK");
            first.send("t4 NOOP\r\n");
            assertThat(linesUntilClosed(first)).containsExactly("* BYE Selected mailbox has been deleted");
            // the deleting session is not affected
            assertThat(ImapClient.last(second.command("NOOP"))).startsWith("t3 OK");
        }
    }

    @Test
    void qresyncSelectSendsFlagChangesAndVanishedBeforeTheTaggedOk() throws Exception {
        String user = testServer.fixture().addUser("qresync");
        long uidValidity;
        long knownModSeq;
        try (ImapClient imap = loggedIn(user)) {
            assertThat(ImapClient.last(imap.command("CREATE q"))).contains("OK");
            for (String subject : List.of("one", "two", "three", "four")) {
                assertThat(ImapClient.last(imap.append("q", null, subject))).contains("OK");
            }
            assertThat(ImapClient.last(imap.command("ENABLE QRESYNC"))).contains("OK");
            List<String> select = imap.command("SELECT q");
            uidValidity = number(select, "UIDVALIDITY");
            knownModSeq = number(select, "HIGHESTMODSEQ");
            // what changes while the client is away: a flag on 2, message 3 expunged; 1 and 4 untouched
            assertThat(ImapClient.last(imap.command("UID STORE 2 +FLAGS (\\Flagged)"))).contains("OK");
            assertThat(ImapClient.last(imap.command("UID STORE 3 +FLAGS (\\Deleted)"))).contains("OK");
            assertThat(ImapClient.last(imap.command("EXPUNGE"))).contains("OK");
        }
        try (ImapClient imap = loggedIn(user)) {
            assertThat(ImapClient.last(imap.command("ENABLE QRESYNC"))).contains("OK");
            List<String> select = imap.command("SELECT q (QRESYNC (" + uidValidity + " " + knownModSeq + " 1:4))");
            assertThat(ImapClient.last(select)).as(String.join("\n", select)).matches("t3 OK .*SELECT completed.*");
            List<String> untagged = select.subList(0, select.size() - 1);
            assertThat(untagged).as(String.join("\n", select)).contains("* VANISHED (EARLIER) 3");
            List<String> fetches = untagged.stream().filter(l -> l.contains(" FETCH ")).toList();
            assertThat(fetches).as(String.join("\n", select)).hasSize(1);
            assertThat(fetches.get(0)).startsWith("* 2 FETCH (").contains("UID 2").contains("\\Flagged")
                .containsPattern("MODSEQ \\(\\d+\\)");
            long modSeq = Long.parseLong(fetches.get(0).replaceAll(".*MODSEQ \\((\\d+)\\).*", "$1"));
            assertThat(modSeq).isGreaterThan(knownModSeq);
            // with the current HIGHESTMODSEQ nothing is owed
            long highest = number(select, "HIGHESTMODSEQ");
            assertThat(ImapClient.last(imap.command("UNSELECT"))).contains("OK");
            List<String> again = imap.command("SELECT q (QRESYNC (" + uidValidity + " " + highest + " 1:4))");
            assertThat(again).noneMatch(l -> l.contains(" FETCH "));
        }
    }

    @Test
    void mailboxOpenedWithExamineIsNotChanged() throws Exception {
        String user = testServer.fixture().addUser("examine");
        try (ImapClient imap = loggedIn(user)) {
            assertThat(ImapClient.last(imap.command("CREATE ro"))).contains("OK");
            for (String subject : List.of("one", "two", "three")) {
                assertThat(ImapClient.last(imap.append("ro", null, subject))).contains("OK");
            }
            assertThat(ImapClient.last(imap.command("SELECT ro"))).contains("OK [READ-WRITE]");
            assertThat(ImapClient.last(imap.command("STORE 1 +FLAGS.SILENT (\\Deleted)"))).contains("OK");

            assertThat(ImapClient.last(imap.command("EXAMINE ro"))).contains("OK [READ-ONLY]");
            for (String change : List.of("STORE 2 +FLAGS (\\Flagged)", "UID STORE 3 FLAGS.SILENT (\\Seen $Junk)",
                    "EXPUNGE", "UID EXPUNGE 1:*", "MOVE 2 INBOX", "UID MOVE 1:3 INBOX")) {
                List<String> answer = imap.command(change);
                assertThat(answer).as(change).hasSize(1);
                assertThat(answer.get(0)).as(change).matches("t\\d+ NO .*[Rr]ead.only.*");
            }
            // reading and copying out of it still work
            assertThat(ImapClient.last(imap.command("FETCH 1:3 (FLAGS)"))).contains("OK");
            assertThat(ImapClient.last(imap.command("COPY 3 INBOX"))).contains("OK");
            // RFC 3501 6.4.2: CLOSE of a read-only mailbox expunges nothing and is no error
            assertThat(ImapClient.last(imap.command("CLOSE"))).contains("OK");
            assertThat(imap.command("STATUS ro (MESSAGES)")).anyMatch(l -> l.contains("MESSAGES 3"));
            assertThat(imap.command("STATUS INBOX (MESSAGES)")).anyMatch(l -> l.contains("MESSAGES 1"));

            assertThat(ImapClient.last(imap.command("EXAMINE ro"))).contains("OK [READ-ONLY]");
            List<String> flags = imap.command("FETCH 1:3 (FLAGS)");
            assertThat(flags).as(String.join("\n", flags)).hasSize(4)
                .anyMatch(l -> l.startsWith("* 1 FETCH") && l.contains("\\Deleted"))
                .noneMatch(l -> l.contains("\\Flagged") || l.contains("$Junk") || l.contains("\\Seen"));

            // the same session, the mailbox SELECTed again: writable again
            assertThat(ImapClient.last(imap.command("SELECT ro"))).contains("OK [READ-WRITE]");
            assertThat(ImapClient.last(imap.command("STORE 2 +FLAGS.SILENT (\\Flagged)"))).contains("OK");
            assertThat(imap.command("EXPUNGE")).contains("* 1 EXPUNGE");
        }
    }

    @Test
    void renamingInboxMovesItsMessagesAndLeavesAnEmptyInbox() throws Exception {
        String user = testServer.fixture().addUser("renameinbox");
        try (ImapClient imap = loggedIn(user)) {
            for (String subject : List.of("one", "two")) {
                assertThat(ImapClient.last(imap.append("INBOX", null, subject))).contains("OK");
            }
            assertThat(imap.command("STATUS INBOX (MESSAGES)")).anyMatch(l -> l.contains("MESSAGES 2"));
            assertThat(ImapClient.last(imap.command("RENAME INBOX \"Old mail\""))).contains("OK");
            // RFC 3501 6.3.5: the messages moved, INBOX is still there, empty, in the same session
            assertThat(imap.command("STATUS \"Old mail\" (MESSAGES)")).anyMatch(l -> l.contains("MESSAGES 2"));
            assertThat(imap.command("LIST \"\" INBOX")).anyMatch(l -> l.startsWith("* LIST ") && l.endsWith("\"INBOX\""));
            List<String> select = imap.command("SELECT INBOX");
            assertThat(ImapClient.last(select)).as(String.join("\n", select)).contains("OK [READ-WRITE]");
            assertThat(select).contains("* 0 EXISTS");
            assertThat(ImapClient.last(imap.append("INBOX", null, "three"))).contains("OK");
        }
    }

    private static long number(List<String> lines, String code) {
        return lines.stream().filter(l -> l.contains("[" + code + " "))
            .map(l -> Long.parseLong(l.replaceAll(".*\\[" + code + " (\\d+)].*", "$1")))
            .findFirst().orElseThrow(() -> new AssertionError("no " + code + " in " + lines));
    }

    @Test
    void unterminatedQuotedStringIsBad() throws Exception {
        try (ImapClient imap = loggedIn(testServer.fixture().addUser("quoted"))) {
            assertThat(ImapClient.last(imap.command("SELECT \"unterminated"))).startsWith("t2 BAD");
            assertThat(ImapClient.last(imap.command("CREATE \"a"))).startsWith("t3 BAD");
            assertThat(ImapClient.last(imap.command("SELECT \"INBOX\""))).startsWith("t4 OK");
        }
    }

    @Test
    void overLimitSynchronizingLiteralIsRefusedBeforeTheContinuation() throws Exception {
        try (ImapClient imap = loggedIn(testServer.fixture().addUser("toobig"))) {
            for (String size : List.of(String.valueOf(LITERAL_LIMIT + 1), "99999999999", "999999999999999999999999")) {
                String tag = imap.nextTag();
                imap.send(tag + " APPEND INBOX {" + size + "}\r\n");
                // no "+": the answer comes at once, and the session goes on
                assertThat(imap.readLine()).as(size).isEqualTo(tag + " NO [TOOBIG] Literal is larger than the server accepts");
                assertThat(ImapClient.last(imap.command("NOOP"))).contains("OK");
            }
            // a literal within the limit is still asked for
            String tag = imap.nextTag();
            imap.send(tag + " APPEND INBOX {" + LITERAL_LIMIT + "}\r\n");
            assertThat(imap.readLine()).startsWith("+");
        }
    }

    @Test
    void overLimitNonSynchronizingLiteralIsBadAndClosesTheConnection() throws Exception {
        try (ImapClient imap = loggedIn(testServer.fixture().addUser("toobigplus"))) {
            String tag = imap.nextTag();
            imap.send(tag + " APPEND INBOX {" + (LITERAL_LIMIT + 1) + "+}\r\n");
            // the literal's bytes may follow: they must not be read as commands
            imap.send(("a NOOP\r\n").repeat(100));
            List<String> lines = linesUntilClosed(imap);
            assertThat(lines).containsExactly(tag + " BAD [TOOBIG] Literal is larger than the server accepts",
                "* BYE Non-synchronizing literal too large, closing the connection");
        }
        try (ImapClient imap = loggedIn(testServer.fixture().addUser("afterwards"))) {
            assertThat(imap.command("STATUS INBOX (MESSAGES)")).anyMatch(l -> l.contains("MESSAGES 0"));
        }
    }
}
