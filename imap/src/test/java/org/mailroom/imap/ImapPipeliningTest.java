package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Commands a client sends without waiting for the answers (RFC 3501 section 5.5), over a real socket: each one is
 * decoded and run only after the one before it has completed, so a SELECT written together with its LOGIN is
 * authenticated, and the answers come back in order.
 */
@Timeout(60)
class ImapPipeliningTest {

    @RegisterExtension
    static final OneImapServer testServer =
        OneImapServer.plain(ImapLimits.defaults().withThrottle(LoginThrottle.Policy.disabled()));

    private static String message(String subject) {
        return "From: bob@example.org\r\nTo: alice@example.test\r\nSubject: " + subject + "\r\n\r\nBody of "
            + subject + "\r\n";
    }

    private static String appendPlus(String tag, String mailbox, String message) {
        return tag + " APPEND " + mailbox + " {" + message.getBytes(StandardCharsets.UTF_8).length + "+}\r\n"
            + message + "\r\n";
    }

    /** Reads every line up to the tagged answer of each tag, in the order given, and returns those tagged lines. */
    private static List<String> taggedAnswers(ImapClient imap, String... tags) throws Exception {
        List<String> answers = new ArrayList<>();
        for (String tag : tags) {
            answers.add(ImapClient.last(imap.readUntilTagged(tag)));
        }
        return answers;
    }

    @Test
    void loginSelectAndFetchInOneWriteAreAnsweredInOrder() throws Exception {
        String user = testServer.fixture().addUser("pipelined");
        try (ImapClient setup = new ImapClient(testServer.server().port())) {
            assertThat(ImapClient.last(setup.login(user, ImapTestServers.PASSWORD))).startsWith("t1 OK");
            assertThat(ImapClient.last(setup.append("INBOX", null, "first"))).contains("OK");
        }
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            imap.send("a LOGIN \"" + user + "\" \"" + ImapTestServers.PASSWORD + "\"\r\n"
                + "b SELECT INBOX\r\n"
                + "c FETCH 1 (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n"
                + "d LOGOUT\r\n");
            List<String> login = imap.readUntilTagged("a");
            assertThat(ImapClient.last(login)).startsWith("a OK");
            List<String> select = imap.readUntilTagged("b");
            assertThat(ImapClient.last(select)).as(String.join("\n", select)).startsWith("b OK [READ-WRITE]");
            assertThat(select).contains("* 1 EXISTS");
            List<String> fetch = imap.readUntilTagged("c");
            assertThat(ImapClient.last(fetch)).startsWith("c OK");
            assertThat(fetch).anyMatch(line -> line.contains("Subject: first"));
            List<String> logout = imap.readUntilTagged("d");
            assertThat(logout).containsExactly("* BYE IMAP4rev1 Server logging out", "d OK LOGOUT completed.");
            assertThat(imap.isClosedByServer()).isTrue();
        }
    }

    @Test
    void appendsWithLiteralPlusAndTheCommandsAfterThemInOneWrite() throws Exception {
        String user = testServer.fixture().addUser("pipelinedappend");
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            imap.send("a LOGIN \"" + user + "\" \"" + ImapTestServers.PASSWORD + "\"\r\n"
                + "b CREATE Piped\r\n"
                + appendPlus("c", "Piped", message("one"))
                + appendPlus("d", "Piped", message("two"))
                + "e SELECT Piped\r\n"
                + "f UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n"
                + "g UID SEARCH SUBJECT two\r\n");
            assertThat(taggedAnswers(imap, "a", "b", "c", "d")).allMatch(line -> line.contains(" OK"));
            List<String> select = imap.readUntilTagged("e");
            assertThat(select).contains("* 2 EXISTS");
            List<String> fetch = imap.readUntilTagged("f");
            assertThat(ImapClient.last(fetch)).startsWith("f OK");
            assertThat(String.join("\n", fetch)).contains("Subject: one").contains("Subject: two");
            List<String> search = imap.readUntilTagged("g");
            assertThat(search).containsExactly("* SEARCH 2", "g OK SEARCH completed.");
        }
    }

    @Test
    void synchronizingLiteralsStillGetTheirContinuation() throws Exception {
        String user = testServer.fixture().addUser("pipelinedsync");
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            String body = message("synchronized");
            // LOGIN with its password as a synchronizing literal, written together with a NOOP after the literal
            imap.send("a LOGIN \"" + user + "\" {" + ImapTestServers.PASSWORD.length() + "}\r\n");
            assertThat(imap.readLine()).startsWith("+");
            imap.send(ImapTestServers.PASSWORD + "\r\nb APPEND INBOX {" + body.length() + "}\r\n");
            assertThat(ImapClient.last(imap.readUntilTagged("a"))).startsWith("a OK");
            assertThat(imap.readLine()).startsWith("+");
            imap.send(body + "\r\nc STATUS INBOX (MESSAGES)\r\n");
            assertThat(taggedAnswers(imap, "b")).allMatch(line -> line.startsWith("b OK"));
            assertThat(imap.readUntilTagged("c")).contains("* STATUS \"INBOX\" (MESSAGES 1)");
        }
    }

    @Test
    void idleEndsWithDoneAndTheCommandWrittenWithIt() throws Exception {
        String user = testServer.fixture().addUser("pipelinedidle");
        try (ImapClient imap = new ImapClient(testServer.server().port()); ImapClient other = new ImapClient(testServer.server().port())) {
            imap.send("a LOGIN \"" + user + "\" \"" + ImapTestServers.PASSWORD + "\"\r\nb SELECT INBOX\r\nc IDLE\r\n");
            assertThat(taggedAnswers(imap, "a", "b")).allMatch(line -> line.contains(" OK"));
            assertThat(imap.readLine()).startsWith("+");
            // a message arriving while idling is announced
            assertThat(ImapClient.last(other.login(user, ImapTestServers.PASSWORD))).startsWith("t1 OK");
            assertThat(ImapClient.last(other.append("INBOX", null, "while idling"))).contains("OK");
            assertThat(imap.readLine()).isEqualTo("* 1 EXISTS");
            imap.send("DONE\r\nd FETCH 1 (FLAGS)\r\ne NOOP\r\n");
            List<String> idle = imap.readUntilTagged("c");
            assertThat(ImapClient.last(idle)).startsWith("c OK IDLE completed");
            assertThat(taggedAnswers(imap, "d", "e")).containsExactly("d OK FETCH completed.", "e OK NOOP completed.");
        }
    }

    @Test
    void aCommandSentWhileTheOneBeforeRunsIsAnsweredAfterIt() throws Exception {
        String user = testServer.fixture().addUser("waiting");
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            assertThat(ImapClient.last(imap.login(user, ImapTestServers.PASSWORD))).startsWith("t1 OK");
            for (int i = 0; i < 20; i++) {
                // two writes: the second usually arrives while SELECT runs on the store's thread
                imap.send("s" + i + " SELECT INBOX\r\n");
                imap.send("n" + i + " NOOP\r\n");
                List<String> answers = taggedAnswers(imap, "s" + i, "n" + i);
                assertThat(answers.get(0)).startsWith("s" + i + " OK [READ-WRITE]");
                assertThat(answers.get(1)).isEqualTo("n" + i + " OK NOOP completed.");
            }
        }
    }

    @Test
    void plaintextSentBehindStartTlsNeverReachesACommand() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), testServer.server().port())) {
            socket.setSoTimeout(20_000);
            BufferedReader in = new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            assertThat(in.readLine()).startsWith("* OK");
            out.write("a STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // a separate write, sent without waiting for the answer: it must be taken as the TLS handshake's first
            // bytes (and fail it), never as a command
            out.write("b CAPABILITY\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            List<String> lines = new ArrayList<>();
            try {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (SocketException reset) {
                // the server may close with unread bytes: what was read is what matters
            }
            assertThat(lines).noneMatch(line -> line.startsWith("b ") || line.startsWith("* CAPABILITY"));
        }
    }
}
