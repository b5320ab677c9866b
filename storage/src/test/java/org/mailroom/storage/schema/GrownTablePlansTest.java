package org.mailroom.storage.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A re-plan leaves no statement to be compiled inside the next command that runs it: the statements whose plans it
 * (or anything else) marked for a recompile are compiled again by the re-planning thread, and the statement open on
 * a pooled connection runs the new plan. Read from Derby's own list of compiled statements
 * ({@code SYSCS_DIAG.STATEMENT_CACHE}) of a database of its own.
 */
class GrownTablePlansTest {
    private static final String READ = "SELECT COUNT(*) FROM mr_mailbox WHERE id > ?";

    @Test
    void statementsMarkedForARecompileAreCompiledAgainOffTheirNextExecution(@TempDir Path dir) throws Exception {
        try (Database db = Database.open(DatabaseSettings.embedded(dir))) {
            GrownTablePlans plans = new GrownTablePlans(db.dataSource(), Dialect.DERBY);
            assertThat(count(db)).isZero();
            assertThat(CachedPlans.valid(db, READ)).as("compiled by its first execution").isTrue();

            try (Connection c = db.dataSource().getConnection();
                 PreparedStatement replan = c.prepareStatement(Dialect.DERBY.replanTableCall())) {
                replan.setString(1, "MR_MAILBOX");
                replan.execute();
            }
            assertThat(CachedPlans.valid(db, READ)).as("marked by the re-plan of its table").isFalse();

            plans.replanGrownTables();
            assertThat(CachedPlans.valid(db, READ)).as("compiled again by the re-planning thread's pass").isTrue();
            try (Connection c = db.dataSource().getConnection()) {
                assertThat(plans.recompileInvalidated(c)).as("nothing left to compile").isZero();
            }
            assertThat(count(db)).as("the open statement runs the new plan").isZero();
            assertThat(CachedPlans.valid(db, READ)).as("without compiling it again").isTrue();
        }
    }

    /** The read, through the store's statement cache (the statement stays open on its pooled connection). */
    private static long count(Database db) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(READ)) {
                ps.setLong(1, -1);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }
}
