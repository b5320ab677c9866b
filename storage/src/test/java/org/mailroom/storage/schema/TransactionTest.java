package org.mailroom.storage.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.mailroom.storage.testing.TestDatabases;

/**
 * {@link Database#transaction} on its pool of connections kept in manual-commit mode: what it commits is seen by every
 * later read and transaction, what fails is rolled back without a trace or a lock left behind, and the connection it
 * gave back serves the next transaction cleanly; reads keep their auto-commit connections.
 */
class TransactionTest {
    private static final String INSERT = "INSERT INTO mr_domain (name) VALUES (?)";

    protected Database database() {
        return TestDatabases.derby();
    }

    @Test
    void transactionsRunWithoutAutoCommitAndReadsWithIt() {
        Database db = database();
        for (int i = 0; i < 2; i++) {
            // the second time on connections the pools have handed out before
            boolean inTransaction = db.transaction(c -> c.getAutoCommit());
            boolean inRead = db.read(c -> c.getAutoCommit());
            assertThat(inTransaction).isFalse();
            assertThat(inRead).isTrue();
        }
    }

    @Test
    void committedWorkIsSeenAndFailedWorkLeavesNothing() {
        Database db = database();
        db.transactionVoid(c -> insert(c, "kept.example"));
        RuntimeException failure = new IllegalStateException("the work failed after its insert");
        assertThatThrownBy(() -> db.transactionVoid(c -> {
            insert(c, "lost.example");
            throw failure;
        })).isSameAs(failure);
        // more transactions than the pool has connections, so each connection a failure went back on serves again
        for (int i = 0; i < 20; i++) {
            int n = i;
            assertThatThrownBy(() -> db.transactionVoid(c -> {
                insert(c, "lost" + n + ".example");
                throw new IllegalStateException("fails");
            })).isInstanceOf(IllegalStateException.class);
            db.transactionVoid(c -> insert(c, "kept" + n + ".example"));
        }
        List<String> names = domains(db);
        assertThat(names).contains("kept.example", "kept0.example", "kept19.example").hasSize(21);
        assertThat(names).noneMatch(name -> name.startsWith("lost"));
    }

    @Test
    void aRolledBackTransactionHoldsNoLock() throws Exception {
        Database db = database();
        db.transactionVoid(c -> insert(c, "locked.example"));
        assertThatThrownBy(() -> db.transactionVoid(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE mr_domain SET name = ? WHERE name = ?")) {
                ps.setString(1, "renamed.example");
                ps.setString(2, "locked.example");
                ps.executeUpdate();
            }
            throw new IllegalStateException("fails holding the row's lock");
        })).isInstanceOf(IllegalStateException.class);
        // a reader, then a writer, of that row on another thread go on at once
        assertThat(CompletableFuture.supplyAsync(() -> domains(db)).get(10, TimeUnit.SECONDS))
            .contains("locked.example").doesNotContain("renamed.example");
        CompletableFuture.runAsync(() -> db.transactionVoid(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM mr_domain WHERE name = ?")) {
                ps.setString(1, "locked.example");
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
        })).get(10, TimeUnit.SECONDS);
        assertThat(domains(db)).doesNotContain("locked.example", "renamed.example");
    }

    @Test
    void aTransactionSeesWhatOthersCommittedSinceItsConnectionsLastTransaction() {
        Database db = database();
        // read inside a transaction, then commit from another connection: the next transactions must see it (a
        // connection left inside a transaction would keep an older view on PostgreSQL, or its read locks on Derby)
        for (int i = 0; i < 20; i++) {
            int counted = db.transaction(c -> count(c));
            assertThat(counted).isEqualTo(i);
            int n = i;
            db.read(c -> {
                insert(c, "seen" + n + ".example");
                return null;
            });
        }
        int counted = db.transaction(c -> count(c));
        assertThat(counted).isEqualTo(20);
    }

    private static void insert(java.sql.Connection c, String name) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setString(1, name);
            ps.executeUpdate();
        }
    }

    private static int count(java.sql.Connection c) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM mr_domain");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static List<String> domains(Database db) {
        return db.read(c -> {
            List<String> names = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM mr_domain");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            return names;
        });
    }
}
