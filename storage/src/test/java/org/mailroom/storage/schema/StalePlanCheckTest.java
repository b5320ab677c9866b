package org.mailroom.storage.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.storage.testing.StatementCompiles;
import org.mailroom.storage.testing.StatementCompiles.Compile;

/**
 * Derby's stale-plan check compiled a statement again inside the execution that found its table's row count changed
 * by a tenth (every 100th execution), on the thread of whatever command ran it. The store turns the check off
 * ({@code derby.language.stalePlanCheckInterval}, unless the JVM sets it) and leaves re-planning to
 * {@link GrownTablePlans}: a statement run hundreds of times after its table grew compiles nothing, and once the
 * table has doubled the re-planning pass compiles it again, on its own thread. Compiles are counted from the
 * generated classes they define ({@link StatementCompiles}), in a database of its own.
 */
class StalePlanCheckTest {
    private static final String READ = "SELECT weight FROM mr_importance_weight WHERE feature_key = ?";

    @Test
    void aPlanRunHundredsOfTimesAfterItsTableGrewIsRecompiledOnlyByTheReplanningPass(@TempDir Path dir)
        throws Exception {
        DatabaseSettings settings = DatabaseSettings.embedded(dir);
        try (Database db = Database.open(settings)) {
            insertWeights(db, 0, 2_000);
        }
        // Reopened, so that the re-planning threads' sizes (the store's own and this test's) start from 2,000 rows.
        try (Database db = Database.open(settings)) {
            GrownTablePlans plans = new GrownTablePlans(db.dataSource(), Dialect.DERBY);
            assertThat(plans.replanGrownTables()).as("the first pass only remembers the sizes").isEmpty();
            assertThat(read(db, 7)).isEqualTo(7.0);
            insertWeights(db, 2_000, 2_600);
            // Derby's row-count estimates follow the pages written out (by the page cleaner and checkpoints in a
            // server): written now, so that the check has the growth to see.
            checkpoint(db);

            List<Compile> compiles;
            try (StatementCompiles recorded = StatementCompiles.record()) {
                for (int i = 0; i < 300; i++) {
                    assertThat(read(db, i)).isEqualTo(i);
                }
                compiles = recorded.stop();
            }
            assertThat(compiles).as("no compile in the 300 executions after a 30 % growth").isEmpty();
            assertThat(CachedPlans.valid(db, READ)).as("nor a plan marked for a recompile").isTrue();

            insertWeights(db, 2_600, 6_000);
            String thisThread = Thread.currentThread().getName();
            try (StatementCompiles recorded = StatementCompiles.record()) {
                // The weights' only index is a one-column primary key, for which Derby keeps no statistics: the pass
                // marks the table's plans itself.
                assertThat(plans.replanGrownTables()).as("re-planned once doubled").contains("MR_IMPORTANCE_WEIGHT");
                compiles = recorded.stop();
            }
            // (the store's own re-planning thread may take its turn at the same table meanwhile)
            assertThat(compiles).as("the read compiled again by the re-planning pass, on its thread")
                .anyMatch(compile -> compile.thread().equals(thisThread));
            assertThat(CachedPlans.valid(db, READ)).isTrue();
        }
    }

    private static void insertWeights(Database db, int from, int to) {
        db.transaction(c -> {
            try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO mr_importance_weight (feature_key, weight, squared_gradient) VALUES (?, ?, 0)")) {
                for (int key = from; key < to; key++) {
                    insert.setLong(1, key);
                    insert.setDouble(2, key);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return null;
        });
    }

    private static void checkpoint(Database db) {
        db.read(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CALL SYSCS_UTIL.SYSCS_CHECKPOINT_DATABASE()");
            }
            return null;
        });
    }

    /** The read, through the store's statement cache (the statement stays open on its pooled connection). */
    private static double read(Database db, long key) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(READ)) {
                ps.setLong(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    return rs.getDouble(1);
                }
            }
        });
    }
}
