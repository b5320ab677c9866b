package org.mailroom.storage.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V15 turns the \Recent flags of a store written before it into each mailbox's watermark: exactly the messages
 * flagged before are recent after (the lowest recent UID starts the watermark; a mailbox with nothing recent starts
 * past its last UID).
 */
class RecentWatermarkMigrationTest {
    @Test
    void existingRecentFlagsBecomeTheWatermark(@TempDir Path dataDir) throws Exception {
        DatabaseSettings settings = DatabaseSettings.embedded(dataDir);
        DerbySchemaAt before = new DerbySchemaAt(settings, "12");
        try (Connection c = before.connection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO mr_mailbox (namespace, owner, name, uid_validity, last_uid, highest_modseq)"
                + " VALUES ('#private', 'alice@example.org', 'INBOX', 1, 4, 4)");
            s.executeUpdate("INSERT INTO mr_mailbox (namespace, owner, name, uid_validity, last_uid, highest_modseq)"
                + " VALUES ('#private', 'alice@example.org', 'Archive', 1, 7, 7)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO mr_message (id, internal_date, msg_size,"
                + " body_start, header_bytes, body_bytes) VALUES ('m', CURRENT_TIMESTAMP, 4, 3, ?, ?)")) {
                ps.setBytes(1, new byte[] {'a', '\r', '\n'});
                ps.setBytes(2, new byte[] {'b'});
                ps.executeUpdate();
            }
            // INBOX: 1 and 2 seen by a SELECT already, 3 and 4 recent; Archive: nothing recent.
            boolean[] inboxRecent = {false, false, true, true};
            for (int uid = 1; uid <= 4; uid++) {
                insertMembership(s, "INBOX", uid, inboxRecent[uid - 1]);
            }
            insertMembership(s, "Archive", 7, false);
        }
        before.close();

        Database db = Database.open(settings);
        try {
            assertThat(watermark(db, "INBOX")).isEqualTo(3);
            assertThat(watermark(db, "Archive")).isEqualTo(8);
        } finally {
            db.close();
        }
    }

    private static void insertMembership(Statement s, String mailbox, int uid, boolean recent) throws SQLException {
        s.executeUpdate("INSERT INTO mr_mailbox_message (mailbox_id, uid, message_id, thread_id, modseq, is_answered,"
            + " is_deleted, is_draft, is_flagged, is_recent, is_seen, msg_size, internal_date)"
            + " SELECT id, " + uid + ", 'm', 'm', " + uid + ", FALSE, FALSE, FALSE, FALSE, " + recent + ", FALSE, 4,"
            + " CURRENT_TIMESTAMP FROM mr_mailbox WHERE name = '" + mailbox + "'");
    }

    private static long watermark(Database db, String mailbox) {
        return db.read(c -> {
            List<Long> found = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT first_recent_uid FROM mr_mailbox WHERE name = '" + mailbox + "'")) {
                while (rs.next()) {
                    found.add(rs.getLong(1));
                }
            }
            return found.get(0);
        });
    }
}
