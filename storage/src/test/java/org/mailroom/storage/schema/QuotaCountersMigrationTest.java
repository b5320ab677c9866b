package org.mailroom.storage.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.james.core.quota.QuotaCountUsage;
import org.apache.james.core.quota.QuotaSizeUsage;
import org.apache.james.mailbox.model.CurrentQuotas;
import org.apache.james.mailbox.model.QuotaRoot;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.storage.quota.JdbcCurrentQuotaManager;

import reactor.core.publisher.Mono;

/**
 * A data folder written by the schema before V11 (quota usage in one row per root, memberships tied to their mailbox
 * by a foreign key) opens with every message, count and quota usage it had: V11 moves the usage onto the mailbox
 * rows and keeps any usage that the rows cannot explain as an adjustment.
 */
class QuotaCountersMigrationTest {
    private static final String ALICE = "#private&alice@example.org";
    private static final String BOB = "#private&bob@example.org";

    @TempDir
    Path dataDir;

    /** The engine the old schema is written on: embedded Derby here, PostgreSQL in the twin. */
    protected Dialect dialect() {
        return Dialect.DERBY;
    }

    /** A JDBC URL of an empty database (or schema) for the old schema. */
    protected String emptyDatabaseUrl() throws SQLException {
        return "jdbc:derby:" + dataDir.resolve("db") + ";create=true";
    }

    protected String user() {
        return null;
    }

    protected String password() {
        return null;
    }

    private Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, user(), password());
    }

    /** How the server of this version opens that same database. */
    protected DatabaseSettings settings(String url) {
        return DatabaseSettings.embedded(dataDir);
    }

    /** Lets the server open the database: Derby embedded boots a database once per JVM, so it is shut down. */
    protected void release(String url) {
        try {
            DriverManager.getConnection("jdbc:derby:" + dataDir.resolve("db") + ";shutdown=true").close();
        } catch (SQLException expected) {
            // 08006: Derby reports a clean shutdown as an exception.
        }
    }

    @Test
    void anOlderDataFolderKeepsItsMailAndItsQuotaUsage() throws Exception {
        String url = emptyDatabaseUrl();
        Flyway.configure()
            .dataSource(url, user(), password())
            .locations("classpath:db/migration")
            .placeholders(dialect().schemaPlaceholders())
            .table("mr_schema_history")
            .target("10")
            .load()
            .migrate();
        try (Connection c = connect(url); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO mr_mailbox (namespace, owner, name, uid_validity, last_uid, highest_modseq,"
                + " message_count, unseen_count) VALUES ('#private', 'alice@example.org', 'INBOX', 7, 2, 2, 2, 1)");
            s.executeUpdate("INSERT INTO mr_mailbox (namespace, owner, name, uid_validity, last_uid, highest_modseq,"
                + " message_count, unseen_count) VALUES ('#private', 'alice@example.org', 'Archive', 8, 1, 1, 1, 0)");
            s.executeUpdate("INSERT INTO mr_mailbox (namespace, owner, name, uid_validity, last_uid, highest_modseq)"
                + " VALUES ('#private', 'bob@example.org', 'INBOX', 9, 0, 0)");
            long inbox = mailboxId(s, "alice@example.org", "INBOX");
            long archive = mailboxId(s, "alice@example.org", "Archive");
            insertMessage(c, "m1", 100);
            insertMessage(c, "m2", 50);
            insertMembership(s, inbox, 1, "m1");
            insertMembership(s, inbox, 2, "m2");
            insertMembership(s, archive, 1, "m1");
            // What the old mappers kept: alice's usage equal to her memberships (a copy counts twice); bob's usage
            // was set through the API (a recomputation, say) and matches no message at all.
            s.executeUpdate("INSERT INTO mr_current_quota VALUES ('" + ALICE + "', 3, 250)");
            s.executeUpdate("INSERT INTO mr_current_quota VALUES ('" + BOB + "', 5, 500)");
        }
        release(url);

        try (Database db = Database.open(settings(url))) {
            JdbcCurrentQuotaManager quotas = new JdbcCurrentQuotaManager(db);
            assertThat(usage(quotas, ALICE)).isEqualTo(quotas(3, 250));
            assertThat(usage(quotas, BOB)).isEqualTo(quotas(5, 500));
            List<Long> bytes = db.read(c -> longs(c, "SELECT message_bytes FROM mr_mailbox"
                + " WHERE owner = 'alice@example.org' ORDER BY name"));
            assertThat(bytes).containsExactly(100L, 150L);
            List<Long> memberships = db.read(c -> longs(c, "SELECT COUNT(*) FROM mr_mailbox_message"));
            assertThat(memberships).containsExactly(3L);
            // Only the adjustment that the mailboxes cannot explain is kept.
            List<Long> adjustments = db.read(c -> longs(c, "SELECT message_count FROM mr_quota_adjustment"));
            assertThat(adjustments).containsExactly(5L);
            List<String> parents = db.read(this::membershipParents);
            assertThat(parents).doesNotContain("mr_mailbox").contains("mr_message");
        }
    }

    private static long mailboxId(Statement s, String owner, String name) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT id FROM mr_mailbox WHERE owner = '" + owner + "' AND name = '" + name + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void insertMessage(Connection c, String id, int size) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO mr_message (id, internal_date, msg_size, body_start,"
            + " header_bytes, body_bytes) VALUES (?, ?, ?, 0, ?, ?)")) {
            ps.setString(1, String.format(Locale.ROOT, "%-36s", id));
            ps.setTimestamp(2, new Timestamp(System.currentTimeMillis()));
            ps.setLong(3, size);
            ps.setBytes(4, new byte[] {'x'});
            ps.setBytes(5, new byte[] {'y'});
            ps.executeUpdate();
        }
    }

    private static void insertMembership(Statement s, long mailboxId, long uid, String id) throws SQLException {
        String uuid = String.format(Locale.ROOT, "%-36s", id);
        s.executeUpdate("INSERT INTO mr_mailbox_message (mailbox_id, uid, message_id, thread_id, modseq, is_answered,"
            + " is_deleted, is_draft, is_flagged, is_recent, is_seen) VALUES (" + mailboxId + ", " + uid + ", '" + uuid
            + "', '" + uuid + "', " + uid + ", FALSE, FALSE, FALSE, FALSE, FALSE, FALSE)");
    }

    private List<String> membershipParents(Connection c) throws SQLException {
        List<String> parents = new ArrayList<>();
        String table = dialect() == Dialect.DERBY ? "MR_MAILBOX_MESSAGE" : "mr_mailbox_message";
        try (ResultSet rs = c.getMetaData().getImportedKeys(null, c.getSchema(), table)) {
            while (rs.next()) {
                parents.add(rs.getString("PKTABLE_NAME").toLowerCase(Locale.ROOT));
            }
        }
        return parents;
    }

    private static List<Long> longs(Connection c, String sql) throws SQLException {
        List<Long> values = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getLong(1));
            }
        }
        return values;
    }

    private static CurrentQuotas usage(JdbcCurrentQuotaManager manager, String root) {
        return Mono.from(manager.getCurrentQuotas(QuotaRoot.quotaRoot(root, Optional.empty()))).block();
    }

    private static CurrentQuotas quotas(long count, long size) {
        return new CurrentQuotas(QuotaCountUsage.count(count), QuotaSizeUsage.size(size));
    }
}
