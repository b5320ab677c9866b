package org.mailroom.storage.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** What Derby's statement cache says of one SQL text's compiled plan, for the tests of plan renewal. */
final class CachedPlans {
    private CachedPlans() {
    }

    /** Whether Derby's cached plan of {@code sql} is valid (not marked for a recompile); it must be in the cache. */
    static boolean valid(Database db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT valid FROM SYSCS_DIAG.STATEMENT_CACHE WHERE sql_text = ?")) {
            ps.setString(1, sql);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("in the statement cache").isTrue();
                return rs.getBoolean(1);
            }
        }
    }
}
