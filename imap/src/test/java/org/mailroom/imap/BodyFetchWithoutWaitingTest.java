package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A body FETCH that shows nothing mutable ({@code BODY.PEEK[]}, with UID or RFC822.SIZE) is answered on the
 * connection's event loop by a read that waits for no other transaction: while another connection of the database
 * holds, uncommitted, what a STORE of the whole mailbox and an APPEND lock (every membership row, the mailbox row),
 * it is answered at once, with the same bytes as before; a FETCH that shows FLAGS still takes the read that sees only
 * committed flags and waits for that writer, and is answered when it rolls back.
 */
@Timeout(60)
class BodyFetchWithoutWaitingTest {
    @RegisterExtension
    static final OneImapServer testServer = OneImapServer.plain(ImapLimits.defaults());

    @Test
    void aPeekOfOneMessageIsAnsweredWhileAWriterHoldsTheMailboxUncommitted() throws Exception {
        String user = testServer.fixture().addUser("nowait");
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            assertThat(ImapClient.last(imap.login(user, ImapTestServers.PASSWORD))).contains("OK");
            assertThat(ImapClient.last(imap.append("INBOX", null, "first"))).contains("OK");
            assertThat(ImapClient.last(imap.append("INBOX", null, "second"))).contains("OK");
            assertThat(ImapClient.last(imap.command("SELECT INBOX"))).contains("OK");
            List<String> before = imap.command("FETCH 2 (BODY.PEEK[])");
            List<String> beforeUid = imap.command("UID FETCH 1 (UID RFC822.SIZE BODY.PEEK[TEXT])");

            try (Connection writer = testServer.fixture().database.dataSource().getConnection()) {
                writer.setAutoCommit(false);
                try {
                    update(writer, "UPDATE mr_mailbox_message SET modseq = modseq + 1, is_flagged = TRUE");
                    update(writer, "UPDATE mr_mailbox SET message_count = message_count");

                    List<String> during = answerOf(imap, "FETCH 2 (BODY.PEEK[])").get(5, TimeUnit.SECONDS);
                    assertThat(during.subList(0, during.size() - 1)).isEqualTo(before.subList(0, before.size() - 1));
                    assertThat(ImapClient.last(during)).contains("OK");
                    assertThat(String.join("\n", during)).contains("Subject: second");
                    List<String> duringUid = answerOf(imap, "UID FETCH 1 (UID RFC822.SIZE BODY.PEEK[TEXT])")
                        .get(5, TimeUnit.SECONDS);
                    assertThat(duringUid.subList(0, duringUid.size() - 1))
                        .isEqualTo(beforeUid.subList(0, beforeUid.size() - 1));

                    // FLAGS shows committed state only: that read waits for the writer (the test holds its locks)
                    CompletableFuture<List<String>> withFlags = answerOf(imap, "FETCH 1 (FLAGS BODY.PEEK[])");
                    assertThat(Waiting.stillWaitingAfter(withFlags, 700)).isTrue();
                    writer.rollback();
                    List<String> flagged = withFlags.get(30, TimeUnit.SECONDS);
                    assertThat(flagged.get(0)).contains("FLAGS (").doesNotContain("\\Flagged");
                    assertThat(ImapClient.last(flagged)).contains("OK");
                } finally {
                    writer.rollback();
                    writer.setAutoCommit(true);
                }
            }
            assertThat(imap.command("FETCH 2 (BODY.PEEK[])")).isNotEmpty()
                .satisfies(lines -> assertThat(lines.subList(0, lines.size() - 1))
                    .isEqualTo(before.subList(0, before.size() - 1)));
        }
    }

    @Test
    void aFetchThatSetsSeenIsAnsweredAsBefore() throws Exception {
        String user = testServer.fixture().addUser("seen");
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            assertThat(ImapClient.last(imap.login(user, ImapTestServers.PASSWORD))).contains("OK");
            assertThat(ImapClient.last(imap.append("INBOX", null, "unread"))).contains("OK");
            assertThat(ImapClient.last(imap.command("SELECT INBOX"))).contains("OK");
            assertThat(imap.command("FETCH 1 (BODY.PEEK[])").get(0)).doesNotContain("FLAGS");
            List<String> read = imap.command("FETCH 1 (BODY[])");
            assertThat(String.join("\n", read)).contains("\\Seen").contains("Subject: unread");
            assertThat(imap.command("FETCH 1 (FLAGS)").get(0)).contains("\\Seen");
        }
    }

    private static void update(Connection writer, String sql) throws Exception {
        try (PreparedStatement ps = writer.prepareStatement(sql)) {
            assertThat(ps.executeUpdate()).isPositive();
        }
    }

    private static CompletableFuture<List<String>> answerOf(ImapClient imap, String command) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return imap.command(command);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
