package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UidValidity;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.Dialect;
import org.mailroom.storage.testing.TestDatabases;

/**
 * {@link JdbcMessageMapper#visitMetadataRowsWithoutWaiting}, IMAP's FETCH of flags on a connection's event loop: it
 * answers only from a snapshot the mailbox row's marks show current, with exactly what the ordinary read answers; a
 * change committed past the snapshot (another process, a write that did not reach it) is never answered from it; and
 * on Derby a writer holding the mailbox row is not waited for: with its marks unchanged the committed snapshot answers
 * at once, with its marks changed the answer is false at once (the caller then takes the read that waits); on
 * PostgreSQL, whose readers see only committed values, the committed snapshot answers then.
 */
class MetadataRowsWithoutWaitingTest {
    protected Database database() {
        return TestDatabases.derby();
    }

    @Test
    void answersWhatTheRowsSayOnlyFromACurrentSnapshot() throws Exception {
        Database db = database();
        Fixture f = Fixture.of(db, "meta");
        MessageRange all = MessageRange.all();
        // nothing read yet under committed marks: no answer without waiting
        assertThat(f.withoutWaiting(all, 100)).isNull();
        List<String> rows = f.rows(all);
        assertThat(rows).hasSize(3);
        assertThat(f.withoutWaiting(all, 100)).isEqualTo(rows);
        assertThat(f.withoutWaiting(MessageRange.one(MessageUid.of(2)), 100)).isEqualTo(rows.subList(1, 2));
        // more messages than allowed: no answer
        assertThat(f.withoutWaiting(all, 2)).isNull();
        assertThat(f.withoutWaiting(MessageRange.range(MessageUid.of(2), MessageUid.of(3)), 2))
            .isEqualTo(rows.subList(1, 3));

        // committed straight in the database, past the snapshot: never answered from it
        try (Connection writer = db.dataSource().getConnection()) {
            update(writer, "UPDATE mr_mailbox SET highest_modseq = highest_modseq + 1 WHERE id = " + f.mailboxId());
            update(writer, "UPDATE mr_mailbox_message SET is_flagged = TRUE, modseq = (SELECT highest_modseq FROM"
                + " mr_mailbox WHERE id = " + f.mailboxId() + ") WHERE mailbox_id = " + f.mailboxId() + " AND uid = 3");
        }
        assertThat(f.withoutWaiting(all, 100)).isNull();
        List<String> changed = f.rows(all);
        assertThat(changed.get(2)).contains("flags=" + MetadataRowVisitor.FLAGGED);
        assertThat(f.withoutWaiting(all, 100)).isEqualTo(changed);
    }

    @Test
    void aWriterHoldingTheMailboxRowIsNotWaitedFor() throws Exception {
        Database db = database();
        Fixture f = Fixture.of(db, "held");
        List<String> rows = f.rows(MessageRange.all());
        try (Connection writer = db.dataSource().getConnection()) {
            writer.setAutoCommit(false);
            try {
                // a STORE between its lock of the mailbox row and its write: the rows changed, the marks not yet
                update(writer, "UPDATE mr_mailbox SET message_count = message_count WHERE id = " + f.mailboxId());
                update(writer, "UPDATE mr_mailbox_message SET is_answered = TRUE WHERE mailbox_id = " + f.mailboxId());
                assertThat(CompletableFuture.supplyAsync(() -> f.withoutWaiting(MessageRange.all(), 100))
                    .get(2, TimeUnit.SECONDS)).isEqualTo(rows);
                // its marks changed, uncommitted: on Derby no answer from the snapshot, and no wait either; on
                // PostgreSQL the read sees the committed marks, which the snapshot still matches
                update(writer, "UPDATE mr_mailbox SET highest_modseq = highest_modseq + 1 WHERE id = " + f.mailboxId());
                assertThat(CompletableFuture.supplyAsync(() -> f.withoutWaiting(MessageRange.all(), 100))
                    .get(2, TimeUnit.SECONDS)).isEqualTo(db.dialect() == Dialect.DERBY ? null : rows);
            } finally {
                writer.rollback();
                writer.setAutoCommit(true);
            }
        }
        assertThat(f.withoutWaiting(MessageRange.all(), 100)).isEqualTo(rows);
    }

    private static void update(Connection writer, String sql) throws Exception {
        try (PreparedStatement ps = writer.prepareStatement(sql)) {
            assertThat(ps.executeUpdate()).isPositive();
        }
    }

    private record Fixture(Mailbox mailbox, JdbcMessageMapper messages) {
        static Fixture of(Database db, String userPrefix) throws Exception {
            Mailbox mailbox = new JdbcMailboxMapper(db)
                .create(MailboxPath.forUser(Username.of(userPrefix + System.nanoTime() + "@example.org"), "INBOX"),
                    UidValidity.of(21)).block();
            // a mapper of its own: no snapshot cached before the test reads
            JdbcMessageMapper messages = new JdbcMessageMapper(db, Clock.systemUTC());
            messages.add(mailbox, TinyMessages.in(mailbox, new Flags()));
            messages.add(mailbox, TinyMessages.in(mailbox, new Flags(Flags.Flag.SEEN)));
            messages.add(mailbox, TinyMessages.in(mailbox, new Flags("$Label1")));
            return new Fixture(mailbox, new JdbcMessageMapper(db, Clock.systemUTC()));
        }

        long mailboxId() {
            return StoredMailboxId.of(mailbox.getMailboxId()).value();
        }

        List<String> rows(MessageRange range) {
            List<String> rows = new ArrayList<>();
            messages.visitMetadataRows(mailbox, range, (uid, modSeq, size, date, flags, keywords) ->
                rows.add(line(uid, modSeq, size, date, flags, keywords)));
            return rows;
        }

        /** The rows answered without waiting, or null when it did not answer (and then it visited nothing). */
        List<String> withoutWaiting(MessageRange range, int maxMessages) {
            List<String> rows = new ArrayList<>();
            boolean answered = messages.visitMetadataRowsWithoutWaiting(mailbox, range, maxMessages,
                (uid, modSeq, size, date, flags, keywords) -> rows.add(line(uid, modSeq, size, date, flags, keywords)));
            if (!answered) {
                assertThat(rows).isEmpty();
                return null;
            }
            return rows;
        }

        private static String line(long uid, long modSeq, long size, long date, int flags, String keywords) {
            return "uid=" + uid + " modseq=" + modSeq + " size=" + size + " date=" + date + " flags=" + flags
                + " keywords=" + keywords;
        }
    }
}
