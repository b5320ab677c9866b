package org.mailroom.storage.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Derby's lock escalation is off for a Mailroom database ({@code Database}): a transaction that updates more rows of
 * one table than Derby's default threshold (5,000) keeps its row locks instead of locking the whole table, which every
 * reader of the table, even at READ UNCOMMITTED, would wait for (the IMAP read on an event loop must not).
 */
class NoLockEscalationTest {
    @TempDir
    Path directory;

    @Test
    void aTransactionOverManyRowsKeepsRowLocks() throws Exception {
        try (Database db = Database.open(DatabaseSettings.embedded(directory));
             Connection c = db.dataSource().getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE escalation_probe (id INT PRIMARY KEY, n INT)");
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO escalation_probe VALUES (?, 0)")) {
                for (int i = 0; i < 6_000; i++) {
                    insert.setInt(1, i);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            c.setAutoCommit(false);
            try {
                try (Statement s = c.createStatement()) {
                    assertThat(s.executeUpdate("UPDATE escalation_probe SET n = n + 1")).isEqualTo(6_000);
                }
                try (PreparedStatement locks = c.prepareStatement("SELECT type, mode, COUNT(*) FROM SYSCS_DIAG.LOCK_TABLE"
                    + " WHERE tablename = 'ESCALATION_PROBE' GROUP BY type, mode");
                     ResultSet rs = locks.executeQuery()) {
                    int rowLocks = 0;
                    while (rs.next()) {
                        if ("TABLE".equals(rs.getString(1))) {
                            assertThat(rs.getString(2)).as("only an intent lock on the table").startsWith("I");
                        } else {
                            rowLocks += rs.getInt(3);
                        }
                    }
                    assertThat(rowLocks).isGreaterThanOrEqualTo(6_000);
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }
}
