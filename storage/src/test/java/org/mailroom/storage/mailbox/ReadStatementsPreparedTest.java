package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UidValidity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;

/**
 * A store that has just started has had Derby compile the statements of an IMAP session's first message reads (a
 * FETCH of whole messages, a header SEARCH), so the first such command after a start finds them in Derby's statement
 * cache instead of compiling them. Read from Derby's own list of compiled statements ({@code SYSCS_DIAG.STATEMENT_CACHE})
 * of a database of its own, whose cache no other test has filled. The same for the look-ups of a mailbox row that miss
 * the row cache.
 */
class ReadStatementsPreparedTest {
    private static final Username USER = Username.of("dora@example.org");

    @Test
    void theFirstBodyFetchAndHeaderSearchAfterAStartCompileNothing(@TempDir Path dir) throws Exception {
        try (Database db = Database.open(DatabaseSettings.embedded(dir))) {
            assertThat(compiled(db, "m.body_bytes")).as("before the store starts").isEmpty();

            SingleUserStores.manager(db, USER);
            Set<String> atStart = messageReads(db);
            assertThat(atStart).as("compiled while the store starts")
                .anyMatch(sql -> sql.contains("m.body_bytes") && sql.contains("mm.uid = ?"))
                .anyMatch(sql -> sql.contains("m.body_bytes") && sql.contains("mm.uid BETWEEN ? AND ?"))
                .anyMatch(sql -> sql.startsWith("SELECT mm.uid, m.header_bytes"));

            JdbcMessageMapper messages = new JdbcMessageMapper(db, Clock.systemUTC());
            Mailbox mailbox = new JdbcMailboxMapper(db)
                .create(MailboxPath.forUser(USER, "Archive"), UidValidity.of(7)).block();
            for (int i = 0; i < 3; i++) {
                messages.add(mailbox, TinyMessages.in(mailbox, new Flags()));
            }
            List<Long> visited = new ArrayList<>();
            ContentRowVisitor visitor = (uid, modSeq, size, date, flags, keywords, header, body) -> visited.add(uid);
            messages.visitContentRows(mailbox, MessageRange.one(MessageUid.of(2)), visitor);
            messages.visitContentRows(mailbox, MessageRange.range(MessageUid.of(1), MessageUid.of(3)), visitor);
            List<Long> found = new ArrayList<>();
            messages.visitHeaders(mailbox, 1, 3, (uid, header) -> found.add(uid));

            assertThat(visited).containsExactly(2L, 1L, 2L, 3L);
            assertThat(found).containsExactly(1L, 2L, 3L);
            assertThat(messageReads(db)).as("no message read compiled by the reads themselves").isEqualTo(atStart);
        }
    }

    @Test
    void aMailboxRowLookUpAfterAStartCompilesNothing(@TempDir Path dir) throws Exception {
        try (Database db = Database.open(DatabaseSettings.embedded(dir))) {
            assertThat(mailboxRowReads(db)).as("before the store starts").isEmpty();

            SingleUserStores.store(db);
            Set<String> atStart = mailboxRowReads(db);
            assertThat(atStart).as("compiled while the store starts")
                .anyMatch(sql -> sql.endsWith("WHERE id = ?"))
                .anyMatch(sql -> sql.endsWith("WHERE namespace = ? AND owner = ? AND name = ?"));

            // Rows trusted for no time: every look-up misses the cache and reads the row, as one does once a
            // session's cached row is older than MailboxRowCache.TRUST.
            JdbcMailboxMapper mailboxes = new JdbcMailboxMapper(db, Duration.ZERO);
            MailboxPath path = MailboxPath.forUser(USER, "Archive");
            Mailbox created = mailboxes.create(path, UidValidity.of(7)).block();
            assertThat(mailboxes.findMailboxById(created.getMailboxId()).block().generateAssociatedPath()).isEqualTo(path);
            assertThat(mailboxes.findMailboxByPath(path).block().getMailboxId()).isEqualTo(created.getMailboxId());
            assertThat(mailboxes.findMailboxByPath(MailboxPath.forUser(USER, "Nowhere")).blockOptional()).isEmpty();
            assertThatThrownBy(() -> mailboxes.findMailboxById(StoredMailboxId.of(987_654)).block())
                .hasCauseInstanceOf(MailboxNotFoundException.class);

            assertThat(mailboxRowReads(db)).as("no look-up compiled by the look-ups themselves").isEqualTo(atStart);
        }
    }

    /** The compiled look-ups of one mailbox row. */
    private static Set<String> mailboxRowReads(Database db) {
        return compiled(db, "FROM mr_mailbox WHERE").stream()
            .filter(sql -> sql.startsWith("SELECT id, namespace, owner, name, uid_validity, acl FROM mr_mailbox WHERE"))
            .collect(Collectors.toSet());
    }

    /** The compiled reads of message bytes with membership rows: those that start-up compiles, and any other. */
    private static Set<String> messageReads(Database db) {
        return compiled(db, "_bytes").stream()
            .filter(sql -> sql.startsWith("SELECT mm.uid") && (sql.contains("m.body_bytes") || sql.contains("m.header_bytes")))
            .collect(Collectors.toSet());
    }

    /** The SQL texts in Derby's statement cache that contain {@code fragment}. */
    private static Set<String> compiled(Database db, String fragment) {
        return db.read(c -> {
            Set<String> texts = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT sql_text FROM SYSCS_DIAG.STATEMENT_CACHE");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String sql = rs.getString(1);
                    if (sql.contains(fragment) && !sql.contains("SYSCS_DIAG")) {
                        texts.add(sql);
                    }
                }
            }
            return texts;
        });
    }
}
