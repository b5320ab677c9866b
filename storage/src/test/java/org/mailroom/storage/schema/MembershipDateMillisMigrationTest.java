package org.mailroom.storage.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V18 turns the TIMESTAMP internal date of every membership into epoch milliseconds: each row, in every mailbox
 * and past the migration's update batch, must come out with exactly the instant {@code getTimestamp} returned
 * before, and the TIMESTAMP column must be gone.
 */
class MembershipDateMillisMigrationTest {
    private static final int INBOX_ROWS = 2_345;

    @Test
    void everyMembershipKeepsItsInternalDateAsMillis(@TempDir Path dataDir) throws Exception {
        DatabaseSettings settings = DatabaseSettings.embedded(dataDir);
        DerbySchemaAt before = new DerbySchemaAt(settings, "15");
        Map<String, Long> expected = new HashMap<>();
        try (Connection c = before.connection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO mr_mailbox (namespace, owner, name, uid_validity, last_uid, highest_modseq)"
                + " VALUES ('#private', 'alice@example.org', 'INBOX', 1, " + INBOX_ROWS + ", 1)");
            s.executeUpdate("INSERT INTO mr_mailbox (namespace, owner, name, uid_validity, last_uid, highest_modseq)"
                + " VALUES ('#private', 'alice@example.org', 'Archive', 1, 3, 1)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO mr_message (id, internal_date, msg_size,"
                + " body_start, header_bytes, body_bytes) VALUES ('m', CURRENT_TIMESTAMP, 4, 3, ?, ?)")) {
                ps.setBytes(1, new byte[] {'a', '\r', '\n'});
                ps.setBytes(2, new byte[] {'b'});
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO mr_mailbox_message (mailbox_id, uid, message_id,"
                + " thread_id, modseq, is_answered, is_deleted, is_draft, is_flagged, is_recent, is_seen, msg_size,"
                + " internal_date) SELECT id, ?, 'm', 'm', 1, FALSE, FALSE, FALSE, FALSE, FALSE, FALSE, 4, ?"
                + " FROM mr_mailbox WHERE name = ?")) {
                for (int uid = 1; uid <= INBOX_ROWS; uid++) {
                    // distinct instants with milliseconds, some before 1970
                    insert(ps, "INBOX", uid, -86_400_000L * 400 + uid * 7_654_321_987L + uid % 1000, expected);
                }
                for (int uid = 1; uid <= 3; uid++) {
                    insert(ps, "Archive", uid, 1_700_000_000_123L + uid, expected);
                }
            }
        }
        before.close();

        Database db = Database.open(settings);
        try {
            Map<String, Long> migrated = db.read(c -> {
                Map<String, Long> found = new HashMap<>();
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT b.name, mm.uid, mm.internal_date_millis"
                         + " FROM mr_mailbox_message mm JOIN mr_mailbox b ON b.id = mm.mailbox_id")) {
                    while (rs.next()) {
                        found.put(rs.getString(1) + "/" + rs.getLong(2), rs.getLong(3));
                    }
                }
                return found;
            });
            assertThat(migrated).hasSize(INBOX_ROWS + 3).isEqualTo(expected);
            boolean timestampColumnLeft = db.read(c -> {
                try (ResultSet rs = c.getMetaData().getColumns(null, null, "MR_MAILBOX_MESSAGE", "INTERNAL_DATE")) {
                    return rs.next();
                }
            });
            assertThat(timestampColumnLeft).isFalse();
        } finally {
            db.close();
        }
    }

    private static void insert(PreparedStatement ps, String mailbox, int uid, long millis, Map<String, Long> expected)
            throws SQLException {
        ps.setLong(1, uid);
        ps.setTimestamp(2, new Timestamp(millis));
        ps.setString(3, mailbox);
        ps.executeUpdate();
        expected.put(mailbox + "/" + uid, millis);
    }
}
