package org.mailroom.storage.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V12 copies each message's size and internal date onto its memberships: a store written before it must come out
 * of the migration with both filled in, for every copy of a message (the date as epoch milliseconds since V18).
 */
class MembershipSizeDateMigrationTest {
    @Test
    void existingMembershipsGetTheirMessagesSizeAndInternalDate(@TempDir Path dataDir) throws Exception {
        DatabaseSettings settings = DatabaseSettings.embedded(dataDir);
        DerbySchemaAt before = new DerbySchemaAt(settings, "10");
        Timestamp date = Timestamp.valueOf("2024-02-03 04:05:06.789");
        try (Connection c = before.connection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO mr_mailbox (namespace, owner, name, uid_validity, last_uid, highest_modseq)"
                + " VALUES ('#private', 'alice@example.org', 'INBOX', 1, 2, 2)");
            s.executeUpdate("INSERT INTO mr_mailbox (namespace, owner, name, uid_validity, last_uid, highest_modseq)"
                + " VALUES ('#private', 'alice@example.org', 'Archive', 1, 1, 1)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO mr_message (id, internal_date, msg_size, body_start,"
                + " header_bytes, body_bytes) VALUES (?, ?, ?, 3, ?, ?)")) {
                ps.setString(1, "11111111-1111-1111-1111-111111111111");
                ps.setTimestamp(2, date);
                ps.setLong(3, 4321);
                ps.setBytes(4, new byte[] {'a', '\r', '\n'});
                ps.setBytes(5, new byte[] {'b'});
                ps.executeUpdate();
            }
            for (String membership : new String[] {"(SELECT id FROM mr_mailbox WHERE name = 'INBOX'), 1",
                "(SELECT id FROM mr_mailbox WHERE name = 'Archive'), 1"}) {
                s.executeUpdate("INSERT INTO mr_mailbox_message (mailbox_id, uid, message_id, thread_id, modseq, is_answered,"
                    + " is_deleted, is_draft, is_flagged, is_recent, is_seen) SELECT " + membership
                    + ", '11111111-1111-1111-1111-111111111111', '11111111-1111-1111-1111-111111111111', 1,"
                    + " FALSE, FALSE, FALSE, FALSE, FALSE, FALSE FROM mr_mailbox FETCH FIRST 1 ROWS ONLY");
            }
        }
        before.close();

        Database db = Database.open(settings);
        try {
            int rows = db.read(c -> {
                int count = 0;
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT msg_size, internal_date_millis FROM mr_mailbox_message")) {
                    while (rs.next()) {
                        assertThat(rs.getLong(1)).isEqualTo(4321);
                        assertThat(rs.getLong(2)).isEqualTo(date.getTime());
                        count++;
                    }
                }
                return count;
            });
            assertThat(rows).isEqualTo(2);
        } finally {
            db.close();
        }
    }
}
