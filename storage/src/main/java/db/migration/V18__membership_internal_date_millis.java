package db.migration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * The internal date copied onto each membership (V12) becomes a BIGINT of milliseconds since the epoch
 * ({@code internal_date_millis}): reading a TIMESTAMP made Derby fill a {@code GregorianCalendar} per row, which
 * was a sixth of a metadata FETCH's row stream (bench/README.md). Written in Java rather than SQL because neither
 * database can turn a TIMESTAMP into epoch milliseconds in portable SQL, and because the value must be exactly what
 * the JDBC driver returned for {@code getTimestamp} (Derby's TIMESTAMP is zone-less: it is read back in the JVM's
 * zone, as Mailroom always read it). The message row's own {@code internal_date} stays a TIMESTAMP.
 */
public class V18__membership_internal_date_millis extends BaseJavaMigration {
    private static final int BATCH = 1000;

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        try (Statement s = c.createStatement()) {
            s.executeUpdate("ALTER TABLE mr_mailbox_message ADD COLUMN internal_date_millis BIGINT");
        }
        // one mailbox at a time: its rows are read first and updated afterwards, never while a cursor is open on them
        for (long mailboxId : mailboxIds(c)) {
            List<long[]> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT uid, internal_date FROM mr_mailbox_message WHERE mailbox_id = ?")) {
                ps.setLong(1, mailboxId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Timestamp date = rs.getTimestamp(2);
                        if (date != null) {
                            rows.add(new long[] {rs.getLong(1), date.getTime()});
                        }
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE mr_mailbox_message SET internal_date_millis = ? WHERE mailbox_id = ? AND uid = ?")) {
                int pending = 0;
                for (long[] row : rows) {
                    ps.setLong(1, row[1]);
                    ps.setLong(2, mailboxId);
                    ps.setLong(3, row[0]);
                    ps.addBatch();
                    if (++pending == BATCH) {
                        ps.executeBatch();
                        pending = 0;
                    }
                }
                if (pending > 0) {
                    ps.executeBatch();
                }
            }
        }
        try (Statement s = c.createStatement()) {
            s.executeUpdate("ALTER TABLE mr_mailbox_message DROP COLUMN internal_date");
        }
    }

    private static List<Long> mailboxIds(Connection c) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT DISTINCT mailbox_id FROM mr_mailbox_message")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }
}
