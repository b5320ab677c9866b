package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * EXPUNGE and CLOSE run their delete off the connection's event loop: while another connection of the database holds
 * the mailbox row uncommitted (as an APPEND, a STORE or a delivery to that mailbox does until its commit), an EXPUNGE
 * of that mailbox waits for it, and every other connection, one of which shares the expunging connection's loop, is
 * still answered at once; after the writer rolls back the EXPUNGE answers as before.
 */
@Timeout(60)
class ExpungeOffTheEventLoopTest {
    @RegisterExtension
    static final OneImapServer testServer = OneImapServer.plain(ImapLimits.defaults());

    /** A thread per waiting client (the common pool may have one thread on a small machine). */
    private final ExecutorService clients = Executors.newCachedThreadPool();

    @Test
    void anExpungeWaitingForTheMailboxRowHoldsUpNoOtherConnection() throws Exception {
        String user = testServer.fixture().addUser("expunger");
        String other = testServer.fixture().addUser("neighbour");
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            selectInboxOfKeepAndDeletedDrop(imap, user);

            // the loops take connections in turn: among as many more connections as there are loops, one shares imap's
            List<ImapClient> neighbours = new ArrayList<>();
            try {
                for (int i = 0; i < ImapEventLoops.defaultThreads(); i++) {
                    ImapClient neighbour = new ImapClient(testServer.server().port());
                    neighbours.add(neighbour);
                    assertThat(ImapClient.last(neighbour.login(other, ImapTestServers.PASSWORD))).contains("OK");
                }
                try (Connection writer = testServer.fixture().database.dataSource().getConnection()) {
                    writer.setAutoCommit(false);
                    try {
                        update(writer, "UPDATE mr_mailbox SET message_count = message_count WHERE owner = '" + user
                            + "' AND name = 'INBOX'");
                        CompletableFuture<List<String>> expunge = answerOf(imap, "EXPUNGE");
                        assertThat(Waiting.stillWaitingAfter(expunge, 700)).as("the EXPUNGE waits for the writer")
                            .isTrue();
                        for (ImapClient neighbour : neighbours) {
                            List<String> noop = answerOf(neighbour, "NOOP").get(3, TimeUnit.SECONDS);
                            assertThat(ImapClient.last(noop)).contains("OK");
                        }
                        assertThat(expunge).isNotDone();
                        writer.rollback();
                        List<String> expunged = expunge.get(30, TimeUnit.SECONDS);
                        assertThat(expunged).contains("* 2 EXPUNGE");
                        assertThat(ImapClient.last(expunged)).contains("OK");
                    } finally {
                        writer.rollback();
                        writer.setAutoCommit(true);
                    }
                }
            } finally {
                for (ImapClient neighbour : neighbours) {
                    neighbour.close();
                }
            }
            List<String> left = imap.command("FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
            assertThat(String.join("\n", left)).contains("Subject: keep").doesNotContain("Subject: drop");
        }
    }

    @Test
    void closeExpungesTheMailboxItLeaves() throws Exception {
        String user = testServer.fixture().addUser("closer");
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            selectInboxOfKeepAndDeletedDrop(imap, user);
            List<String> closed = imap.command("CLOSE");
            assertThat(closed).hasSize(1);
            assertThat(ImapClient.last(closed)).contains("OK");
            assertThat(ImapClient.last(imap.command("NOOP"))).contains("OK");
            assertThat(imap.command("STATUS INBOX (MESSAGES)").get(0)).contains("MESSAGES 1");
        }
    }

    private static void update(Connection writer, String sql) throws Exception {
        try (PreparedStatement ps = writer.prepareStatement(sql)) {
            assertThat(ps.executeUpdate()).isPositive();
        }
    }

    private CompletableFuture<List<String>> answerOf(ImapClient imap, String command) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return imap.command(command);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }, clients);
    }

    @org.junit.jupiter.api.AfterEach
    void stopClients() {
        clients.shutdownNow();
    }

    /** Logs in, stores messages "keep" and "drop" in INBOX, selects it and marks "drop" (message 2) \Deleted. */
    private static void selectInboxOfKeepAndDeletedDrop(ImapClient imap, String user) throws Exception {
        assertThat(ImapClient.last(imap.login(user, ImapTestServers.PASSWORD))).contains("OK");
        assertThat(ImapClient.last(imap.append("INBOX", null, "keep"))).contains("OK");
        assertThat(ImapClient.last(imap.append("INBOX", null, "drop"))).contains("OK");
        assertThat(ImapClient.last(imap.command("SELECT INBOX"))).contains("OK");
        assertThat(ImapClient.last(imap.command("STORE 2 +FLAGS.SILENT (\\Deleted)"))).contains("OK");
    }
}
