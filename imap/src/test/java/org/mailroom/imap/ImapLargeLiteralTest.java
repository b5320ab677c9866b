package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * APPEND of messages larger than the 10 MiB a command may hold in memory (they are written to a file as they
 * arrive, {@link LiteralSpool}), over a real socket: the line may end with a bare LF after the literal, a command
 * pipelined behind the literal is answered, and another client is served while a big literal is half sent.
 */
@Timeout(120)
class ImapLargeLiteralTest {
    private static final int SIZE = 10 * 1024 * 1024 + 300_000;

    @RegisterExtension
    static final OneImapServer testServer =
        OneImapServer.plain(ImapLimits.defaults().withThrottle(LoginThrottle.Policy.disabled()));

    /** A message of exactly {@link #SIZE} bytes whose last byte is the CR of its last CRLF (the LF is not counted). */
    private static String bigMessageEndingInCr(String subject) {
        StringBuilder message = new StringBuilder(SIZE + 100)
            .append("From: bob@example.org\r\nTo: alice@example.test\r\nSubject: ").append(subject).append("\r\n\r\n");
        String line = "0123456789".repeat(7) + "abcdef\r\n";
        while (message.length() + line.length() < SIZE) {
            message.append(line);
        }
        message.append("x".repeat(SIZE - message.length() - 1)).append('\r');
        assertThat(message.length()).isEqualTo(SIZE);
        return message.toString();
    }

    private static ImapClient loggedIn(String user) throws Exception {
        ImapClient imap = new ImapClient(testServer.server().port());
        assertThat(ImapClient.last(imap.login(user, ImapTestServers.PASSWORD))).startsWith("t1 OK");
        return imap;
    }

    @Test
    void bigLiteralEndingWithABareLfIsStoredWhileOthersAreServed() throws Exception {
        String user = testServer.fixture().addUser("bigbarelf");
        String message = bigMessageEndingInCr("big bare lf");
        try (ImapClient imap = loggedIn(user); ImapClient other = loggedIn(user)) {
            String tag = imap.nextTag();
            imap.send(tag + " APPEND INBOX {" + SIZE + "}\r\n");
            assertThat(imap.readLine()).startsWith("+");
            imap.send(message.substring(0, SIZE / 2));
            // the connection is half way through its literal: another client is served all the same
            assertThat(ImapClient.last(other.command("SELECT INBOX"))).contains("OK");
            assertThat(ImapClient.last(other.command("NOOP"))).contains("OK");
            imap.send(message.substring(SIZE / 2));
            Thread.sleep(100);
            // the line ends here: the literal's last byte was the CR
            imap.send("\n");
            List<String> append = imap.readUntilTagged(tag);
            assertThat(ImapClient.last(append)).startsWith(tag + " OK [APPENDUID");
            assertThat(ImapClient.last(imap.command("SELECT INBOX"))).contains("OK");
            assertThat(imap.command("FETCH 1 (RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
                .anyMatch(line -> line.contains("RFC822.SIZE " + SIZE))
                .anyMatch(line -> line.contains("Subject: big bare lf"));
        }
    }

    @Test
    void bigLiteralsPlusEndingWithLfOrCrlfAndPipelinedCommandsInOneWrite() throws Exception {
        String user = testServer.fixture().addUser("bigplus");
        String message = bigMessageEndingInCr("big literal plus");
        try (ImapClient imap = loggedIn(user)) {
            // RFC 7888: the client sends the literal without waiting; a bare LF then CRLF-terminated commands behind it
            imap.send("a APPEND INBOX {" + SIZE + "+}\r\n" + message + "\n"
                + "b STATUS INBOX (MESSAGES)\r\n"
                + "c APPEND INBOX {" + SIZE + "+}\r\n" + message + "\r\n"
                + "d STATUS INBOX (MESSAGES)\r\n");
            assertThat(ImapClient.last(imap.readUntilTagged("a"))).startsWith("a OK [APPENDUID");
            assertThat(imap.readUntilTagged("b")).contains("* STATUS \"INBOX\" (MESSAGES 1)");
            // the second literal is followed by a CRLF
            List<String> rest = imap.readUntilTagged("d");
            assertThat(rest).anyMatch(line -> line.startsWith("c OK [APPENDUID"));
            assertThat(rest).contains("* STATUS \"INBOX\" (MESSAGES 2)");
        }
    }
}
