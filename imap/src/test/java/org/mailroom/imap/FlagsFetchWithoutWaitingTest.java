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
 * A FETCH of flags of a few messages is answered on the connection's event loop from the mailbox's metadata snapshot
 * when a read of the mailbox row's marks that takes no lock shows the snapshot current: it then answers at once while
 * a writer holds that row uncommitted without having changed the marks (a STORE between its lock and its write), with
 * the committed flags; it still sees at once what other sessions committed, through the server or straight in the
 * database; and while a writer's uncommitted marks differ it waits for that writer, as before, and shows the flags
 * committed after its rollback.
 */
@Timeout(60)
class FlagsFetchWithoutWaitingTest {
    @RegisterExtension
    static final OneImapServer testServer = OneImapServer.plain(ImapLimits.defaults());

    @Test
    void flagsAreAnsweredWithoutWaitingAndShowWhatOthersCommitted() throws Exception {
        String user = testServer.fixture().addUser("flagsnowait");
        try (ImapClient imap = new ImapClient(testServer.server().port());
             ImapClient other = new ImapClient(testServer.server().port())) {
            assertThat(ImapClient.last(imap.login(user, ImapTestServers.PASSWORD))).contains("OK");
            assertThat(ImapClient.last(other.login(user, ImapTestServers.PASSWORD))).contains("OK");
            for (String subject : List.of("one", "two", "three")) {
                assertThat(ImapClient.last(imap.append("INBOX", null, subject))).contains("OK");
            }
            assertThat(ImapClient.last(imap.command("SELECT INBOX"))).contains("OK");
            assertThat(ImapClient.last(other.command("SELECT INBOX"))).contains("OK");
            List<String> before = imap.command("FETCH 1:3 (UID FLAGS)");
            assertThat(ImapClient.last(before)).contains("OK");
            assertThat(String.join("\n", before)).doesNotContain("\\Flagged");

            // another session's STORE, committed through the server: seen by the next FETCH
            assertThat(ImapClient.last(other.command("STORE 2 +FLAGS (\\Flagged)"))).contains("OK");
            assertThat(lineOf(imap.command("FETCH 1:3 (UID FLAGS)"), "* 2 FETCH")).contains("\\Flagged");

            // a change committed straight in the database, past the server's snapshot: seen too
            try (Connection writer = testServer.fixture().database.dataSource().getConnection()) {
                update(writer, "UPDATE mr_mailbox SET highest_modseq = highest_modseq + 1");
                update(writer, "UPDATE mr_mailbox_message SET is_draft = TRUE, modseq = (SELECT highest_modseq"
                    + " FROM mr_mailbox WHERE mr_mailbox.id = mr_mailbox_message.mailbox_id) WHERE uid = 3");
            }
            assertThat(lineOf(imap.command("FETCH 1:3 (UID FLAGS)"), "* 3 FETCH")).contains("\\Draft");
            List<String> committed = imap.command("FETCH 1:3 (UID FLAGS)");

            try (Connection writer = testServer.fixture().database.dataSource().getConnection()) {
                writer.setAutoCommit(false);
                try {
                    // a STORE's state between its lock of the mailbox row and its write: rows changed, marks not yet
                    update(writer, "UPDATE mr_mailbox SET message_count = message_count");
                    update(writer, "UPDATE mr_mailbox_message SET is_answered = TRUE");
                    List<String> during = answerOf(imap, "FETCH 1:3 (UID FLAGS)").get(5, TimeUnit.SECONDS);
                    assertThat(untagged(during)).isEqualTo(untagged(committed));
                    assertThat(ImapClient.last(during)).contains("OK");

                    // the marks changed, uncommitted: the FETCH waits for the writer and shows what it left
                    update(writer, "UPDATE mr_mailbox SET highest_modseq = highest_modseq + 1");
                    CompletableFuture<List<String>> waiting = answerOf(imap, "FETCH 1:3 (UID FLAGS)");
                    assertThat(Waiting.stillWaitingAfter(waiting, 700)).isTrue();
                    writer.rollback();
                    assertThat(untagged(waiting.get(30, TimeUnit.SECONDS))).isEqualTo(untagged(committed));
                } finally {
                    writer.rollback();
                    writer.setAutoCommit(true);
                }
            }
            assertThat(untagged(imap.command("FETCH 1:3 (UID FLAGS)"))).isEqualTo(untagged(committed));
        }
    }

    /** The answer without its tagged line (each command has its own tag). */
    private static List<String> untagged(List<String> answer) {
        assertThat(ImapClient.last(answer)).contains("OK");
        return answer.subList(0, answer.size() - 1);
    }

    private static String lineOf(List<String> answer, String prefix) {
        assertThat(ImapClient.last(answer)).contains("OK");
        return answer.stream().filter(line -> line.startsWith(prefix)).findFirst().orElseThrow();
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
