package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UidValidity;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.Dialect;
import org.mailroom.storage.testing.TestDatabases;

/**
 * {@link JdbcMessageMapper#visitSmallMessageWithoutWaiting}, the read IMAP makes on a connection's event loop, waits
 * for no other transaction: while a writer holds, uncommitted, what a STORE (every membership row of the mailbox and
 * the mailbox row) and an APPEND (a new membership row, the mailbox row) of the same mailbox lock, it answers at once
 * with the message's bytes, where the ordinary whole-message read waits for that writer (on Derby); with every pooled
 * connection taken it answers false at once instead of waiting for one.
 */
class SmallMessageWithoutWaitingTest {
    private static final Duration AT_ONCE = Duration.ofSeconds(2);

    protected Database database() {
        return TestDatabases.derby();
    }

    @Test
    void answersWhileAWriterHoldsTheMailboxAndItsRowsUncommitted() throws Exception {
        Database db = database();
        OneMessage stored = OneMessage.in(db, "nowait");
        Mailbox mailbox = stored.mailbox();
        JdbcMessageMapper messages = stored.messages();
        long uid = stored.uid();
        long mailboxId = StoredMailboxId.of(mailbox.getMailboxId()).value();

        try (Connection writer = db.dataSource().getConnection()) {
            writer.setAutoCommit(false);
            try {
                holdStoreAndAppendLocks(writer, mailboxId, uid);

                CompletableFuture<List<String>> read = CompletableFuture.supplyAsync(() -> {
                    List<String> seen = new ArrayList<>();
                    boolean answered = messages.visitSmallMessageWithoutWaiting(mailbox, uid, 64 * 1024,
                        (u, size, date, header, body) -> seen.add(u + " " + size + " " + new String(header,
                            StandardCharsets.US_ASCII) + new String(body,
                            StandardCharsets.US_ASCII)));
                    seen.add("answered=" + answered);
                    return seen;
                });
                assertThat(read.get(AT_ONCE.toMillis(), TimeUnit.MILLISECONDS)).containsExactly(
                    uid + " " + TinyMessages.bytes().length + " " + new String(TinyMessages.bytes(),
                        StandardCharsets.US_ASCII),
                    "answered=true");
                assertThat(messages.visitSmallMessageWithoutWaiting(mailbox, uid, TinyMessages.bytes().length - 1,
                    (u, size, date, header, body) -> { }))
                    .as("a message larger than asked for is left to the read that may wait").isFalse();

                if (db.dialect() == Dialect.DERBY) {
                    // the test holds what it says: the ordinary read (the mailbox row's \Recent watermark, row locks)
                    // waits for this writer
                    CompletableFuture<Void> ordinary = CompletableFuture.runAsync(() -> messages.visitContentRows(
                        mailbox, MessageRange.one(org.apache.james.mailbox.MessageUid.of(uid)),
                        (u, modSeq, size, date, flags, keywords, header, body) -> { }));
                    assertThat(waitsAtLeast(ordinary, Duration.ofMillis(500))).isTrue();
                    writer.rollback();
                    ordinary.get(30, TimeUnit.SECONDS);
                }
            } finally {
                writer.rollback();
                writer.setAutoCommit(true);
            }
        }
    }

    @Test
    void answersFalseAtOnceWhenEveryPooledConnectionIsTaken() throws Exception {
        Database db = database();
        OneMessage stored = OneMessage.in(db, "busy");
        Mailbox mailbox = stored.mailbox();
        JdbcMessageMapper messages = stored.messages();
        long uid = stored.uid();

        List<Connection> taken = new ArrayList<>();
        try {
            AtomicReference<Boolean> answered = new AtomicReference<>();
            // take every connection the pool will give (it may be growing towards its maximum meanwhile)
            while (true) {
                CompletableFuture<Connection> next = CompletableFuture.supplyAsync(() -> {
                    try {
                        return db.dataSource().getConnection();
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                try {
                    taken.add(next.get(2, TimeUnit.SECONDS));
                } catch (TimeoutException exhausted) {
                    next.whenComplete((c, e) -> closeQuietly(c));
                    break;
                }
            }
            long started = System.nanoTime();
            answered.set(messages.visitSmallMessageWithoutWaiting(mailbox, uid, 64 * 1024,
                (u, size, date, header, body) -> { }));
            assertThat(answered.get()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(AT_ONCE);
        } finally {
            taken.forEach(SmallMessageWithoutWaitingTest::closeQuietly);
        }
        assertThat(messages.visitSmallMessageWithoutWaiting(mailbox, uid, 64 * 1024, (u, size, date, header, body) -> { }))
            .as("with a connection free again it answers").isTrue();
    }

    /**
     * In {@code writer}'s open transaction, what a STORE of the whole mailbox locks (every membership row, the mailbox
     * row's counters) and what an APPEND adds (a new membership row, here a second membership of the same message).
     */
    private static void holdStoreAndAppendLocks(Connection writer, long mailboxId, long uid) throws Exception {
        try (PreparedStatement store = writer.prepareStatement(
            "UPDATE mr_mailbox_message SET modseq = modseq + 1, is_seen = TRUE WHERE mailbox_id = ?")) {
            store.setLong(1, mailboxId);
            assertThat(store.executeUpdate()).isPositive();
        }
        try (PreparedStatement mailboxRow = writer.prepareStatement(
            "UPDATE mr_mailbox SET message_count = message_count WHERE id = ?")) {
            mailboxRow.setLong(1, mailboxId);
            assertThat(mailboxRow.executeUpdate()).isEqualTo(1);
        }
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = writer.prepareStatement("SELECT * FROM mr_mailbox_message WHERE 1 = 0");
             ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData meta = rs.getMetaData();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                columns.add(meta.getColumnName(i).toLowerCase(java.util.Locale.ROOT));
            }
        }
        String list = String.join(", ", columns);
        String copied = list.replaceFirst("\\buid\\b", "? AS uid");
        try (PreparedStatement append = writer.prepareStatement("INSERT INTO mr_mailbox_message (" + list + ") SELECT "
            + copied + " FROM mr_mailbox_message WHERE mailbox_id = ? AND uid = ?")) {
            append.setLong(1, uid + 1000);
            append.setLong(2, mailboxId);
            append.setLong(3, uid);
            assertThat(append.executeUpdate()).isEqualTo(1);
        }
    }

    /** A new user's INBOX holding one small message, and the mapper that stored it. */
    private record OneMessage(Mailbox mailbox, JdbcMessageMapper messages, long uid) {
        static OneMessage in(Database db, String userPrefix) throws Exception {
            Mailbox mailbox = new JdbcMailboxMapper(db)
                .create(MailboxPath.forUser(Username.of(userPrefix + System.nanoTime() + "@example.org"), "INBOX"),
                    UidValidity.of(19)).block();
            JdbcMessageMapper messages = new JdbcMessageMapper(db, Clock.systemUTC());
            return new OneMessage(mailbox, messages,
                messages.add(mailbox, TinyMessages.in(mailbox, new Flags())).getUid().asLong());
        }
    }

    private static boolean waitsAtLeast(CompletableFuture<?> future, Duration duration) throws Exception {
        try {
            future.get(duration.toMillis(), TimeUnit.MILLISECONDS);
            return false;
        } catch (TimeoutException stillWaiting) {
            return true;
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (java.sql.SQLException ignored) {
                // closing a pooled connection returns it; nothing to do
            }
        }
    }
}
