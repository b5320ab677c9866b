package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile or broken input: malformed commands, unbalanced and oversized literals, a 10 MB line, 1,000 connections
 * sending garbage or nothing. Each gets BAD/NO or a closed connection, a well-behaved client keeps working, and the
 * store is what it was.
 */
@Timeout(60)
class ImapBadInputTest {

    @RegisterExtension
    static final OneImapServer testServer = OneImapServer.plain(
        ImapLimits.defaults().withThrottle(LoginThrottle.Policy.disabled()).withMaxLiteralSize(1024 * 1024));
    private static String user;
    private static List<String> before;

    @BeforeAll
    static void start() throws Exception {
        user = testServer.fixture().addUser("badinput");
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            ok(imap.login(user, ImapTestServers.PASSWORD));
            ok(imap.append("INBOX", "\\Seen", "first"));
            ok(imap.append("INBOX", null, "second"));
        }
        before = snapshot();
    }

    @BeforeEach
    void storeUnchangedSoFar() throws Exception {
        assertThat(snapshot()).isEqualTo(before);
    }

    /** What must not change: every folder's counters and every message's UID, flags and size. */
    private static List<String> snapshot() throws IOException {
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            ok(imap.login(user, ImapTestServers.PASSWORD));
            List<String> state = new ArrayList<>();
            for (String folder : List.of("INBOX", "Archive", "Trash", "Spam", "Priority", "Sent", "Drafts")) {
                state.addAll(untagged(imap.command("STATUS " + folder + " (MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ)")));
            }
            ok(imap.command("EXAMINE INBOX"));
            // \Recent belongs to the session that first sees a message, not to the store.
            untagged(imap.command("FETCH 1:* (UID FLAGS RFC822.SIZE)"))
                .forEach(line -> state.add(line.replace("\\Recent ", "").replace(" \\Recent", "").replace("\\Recent", "")));
            state.addAll(untagged(imap.command("LIST \"\" \"*\"")));
            return state;
        }
    }

    private static List<String> untagged(List<String> lines) {
        ok(lines);
        return lines.subList(0, lines.size() - 1);
    }

    private static void ok(List<String> lines) {
        assertThat(ImapClient.last(lines)).as(String.join("\n", lines)).matches("t\\d+ OK.*");
    }

    /** A client that logs in, selects INBOX and fetches: must work whatever else is happening. */
    private static void wellBehaved(ImapClient imap) throws IOException {
        ok(imap.command("NOOP"));
        List<String> fetch = imap.command("FETCH 1:2 (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
        ok(fetch);
        assertThat(String.join("\n", fetch)).contains("Subject: first").contains("Subject: second");
    }

    private static ImapClient loggedIn() throws IOException {
        ImapClient imap = new ImapClient(testServer.server().port());
        ok(imap.login(user, ImapTestServers.PASSWORD));
        ok(imap.command("SELECT INBOX"));
        return imap;
    }

    @Test
    void malformedCommandsAreAnsweredBadAndTheSessionGoesOn() throws Exception {
        try (ImapClient imap = loggedIn()) {
            List<String> malformed = List.of(
                "FETCH", "FETCH 1 (", "FETCH x FLAGS", "FETCH 1:* (FLAGS", "STORE 1 +FLAGS (\\Seen", "STORE 1 FLAGZ (\\Seen)",
                "SEARCH SINCE 31-Foo-2020", "SEARCH (", "UID FROB 1", "SELECT", "COPY 1", "APPEND", "LIST \"\"",
                "NOSUCHCOMMAND", "LOGIN", "CAPABILITY extra", "FETCH 1 BODY[1.2.x]", "FETCH 1 BODY[]<10.x>",
                "STORE 0 +FLAGS (\\Deleted)", "EXPUNGE now");
            for (String command : malformed) {
                List<String> answer;
                try {
                    answer = imap.command(command);
                } catch (IOException e) {
                    throw new AssertionError("no answer to " + command, e);
                }
                assertThat(ImapClient.last(answer)).as(command + " -> " + answer).matches("t\\d+ (BAD|NO) .*");
                ok(imap.command("NOOP"));
            }
            // No tag, or nothing but junk bytes: an untagged or tagged BAD, never a crash.
            imap.send("\r\n");
            imap.send("*&^%$ \u0001\u0002\u0003 \r\n");
            ok(imap.command("NOOP"));
            wellBehaved(imap);
        }
    }

    @Test
    void literalWithMoreBytesThanAnnouncedAndOneCutShort() throws Exception {
        String other = testServer.fixture().addUser("badliteral");
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            ok(imap.login(other, ImapTestServers.PASSWORD));
            // 40 bytes announced, 60 sent: the extra 20 bytes are read as the next command line and refused.
            String tag = imap.nextTag();
            imap.send(tag + " APPEND Trash {40}\r\n");
            assertThat(imap.readLine()).startsWith("+");
            imap.send("Subject: x\r\n\r\n" + "y".repeat(46) + "\r\n");
            List<String> lines = new ArrayList<>();
            String line;
            while ((line = imap.readLine()) != null) {
                lines.add(line);
                if (line.startsWith(tag + " ")) {
                    break;
                }
            }
            // The extra bytes are refused as a command line; the session goes on.
            assertThat(lines).as("answers").anyMatch(l -> l.matches("(\\*|t\\d+) (BAD|NO) .*"));
            ok(imap.command("NOOP"));
        }
        // A literal cut short by a closed connection stores nothing.
        try (ImapClient imap = loggedIn()) {
            String tag = imap.nextTag();
            imap.send(tag + " APPEND INBOX {1000}\r\n");
            assertThat(imap.readLine()).startsWith("+");
            imap.send("Subject: cut\r\n\r\nonly part of it");
        }
        try (ImapClient imap = loggedIn()) {
            String tag = imap.nextTag();
            imap.send(tag + " APPEND INBOX {1000+}\r\nSubject: cut too\r\n\r\n");
        }
        Thread.sleep(300);
        try (ImapClient imap = loggedIn()) {
            wellBehaved(imap);
        }
    }

    @Test
    void oversizedLiteralsAreRefused() throws Exception {
        try (ImapClient good = loggedIn()) {
            for (String literal : List.of("{2000000}", "{2000000+}", "{99999999999}", "{-5}")) {
                try (ImapClient bad = loggedIn()) {
                    String tag = bad.nextTag();
                    long start = System.nanoTime();
                    bad.send(tag + " APPEND INBOX " + literal + "\r\n");
                    if (literal.endsWith("+}")) {
                        try {
                            bad.send("x".repeat(2_000_000) + "\r\n");
                        } catch (IOException closed) {
                            // refused while sending
                        }
                    }
                    String answer = readAnswer(bad);
                    if (answer != null && answer.startsWith("continuation")) {
                        // James asks for a synchronizing literal's bytes (even 99,999,999,999 of them) and refuses
                        // it once it has read past the limit: the announced size alone is not checked.
                        try {
                            bad.send("x".repeat(2_000_000) + "\r\n");
                            answer = bad.readLine();
                        } catch (IOException closed) {
                            answer = null;
                        }
                    }
                    assertThat(answer == null || answer.matches("(" + tag + "|\\*) (NO|BAD|BYE).*"))
                        .as(literal + " -> " + answer).isTrue();
                    System.out.println(literal + " -> " + answer + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
                }
                wellBehaved(good);
            }
        }
    }

    /** The first line that is not a continuation, or null when the server closed the connection. */
    private static String readAnswer(ImapClient imap) {
        try {
            String line = imap.readLine();
            if (line != null && line.startsWith("+")) {
                return "continuation: " + line;
            }
            return line;
        } catch (IOException closed) {
            return null;
        }
    }

    @Test
    void tenMegabyteLineIsRefusedAndTheServerKeepsServing() throws Exception {
        try (ImapClient good = loggedIn()) {
            try (ImapClient bad = loggedIn()) {
                String tag = bad.nextTag();
                byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
                boolean closedWhileSending = false;
                try {
                    bad.send(tag + " SEARCH TEXT ");
                    for (int i = 0; i < 160; i++) { // 10 MiB
                        bad.send(new String(chunk, StandardCharsets.US_ASCII));
                    }
                    bad.send("\r\n");
                } catch (IOException closed) {
                    closedWhileSending = true;
                }
                if (!closedWhileSending) {
                    String answer = readAnswer(bad);
                    assertThat(answer == null || answer.matches("(" + tag + "|\\*) (BAD|NO|BYE).*")).as(answer).isTrue();
                }
            }
            wellBehaved(good);
        }
        try (ImapClient imap = loggedIn()) {
            wellBehaved(imap);
        }
    }

    @Test
    void thousandConnectionsOfGarbageOrSilence() throws Exception {
        int accepted = 0;
        int refused = 0;
        try (ImapClient good = loggedIn()) {
            byte[] garbage = "\u0016\u0003\u0001 GET / HTTP/1.1\r\nA1 LOGIN {5}\r\n\u0000\u00ff garbage\r\n"
                .getBytes(StandardCharsets.ISO_8859_1);
            for (int batch = 0; batch < 20; batch++) {
                List<Socket> sockets = new ArrayList<>();
                try {
                    for (int i = 0; i < 50; i++) {
                        try {
                            Socket socket = new Socket("127.0.0.1", testServer.server().port());
                            socket.setSoTimeout(200);
                            sockets.add(socket);
                            if (i % 2 == 0) {
                                OutputStream out = socket.getOutputStream();
                                out.write(garbage);
                                out.flush();
                            }
                            accepted++;
                        } catch (IOException e) {
                            refused++;
                        }
                    }
                    wellBehaved(good);
                } finally {
                    for (Socket socket : sockets) {
                        try {
                            socket.close();
                        } catch (IOException ignored) {
                            // already closed by the server
                        }
                    }
                }
            }
            wellBehaved(good);
        }
        assertThat(accepted + refused).isEqualTo(1000);
        try (ImapClient imap = loggedInOnceTheClosedSlotsAreFree()) {
            wellBehaved(imap);
        }
    }

    /**
     * The last batch's sockets were just closed by the client; the server releases their per-address slots (20 by
     * default) only when it sees the closes, so a new connection at once can still be refused as the 21st.
     */
    private static ImapClient loggedInOnceTheClosedSlotsAreFree() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return loggedIn();
            } catch (IOException refusedAsOverTheLimit) {
                if (System.nanoTime() > deadline) {
                    throw refusedAsOverTheLimit;
                }
                Thread.sleep(50);
            }
        }
    }
}
