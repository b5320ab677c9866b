package org.mailroom.storage.schema;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.extension.ExtendWith;
import org.mailroom.storage.testing.PostgresConfigured;

/**
 * {@link QuotaCountersMigrationTest} on PostgreSQL, in a schema of its own (the shared test database already has
 * the current schema); skipped unless MAILROOM_TEST_PG_URL is set (fails instead with MAILROOM_REQUIRE_PG).
 */
@ExtendWith(PostgresConfigured.class)
class PostgresQuotaCountersMigrationTest extends QuotaCountersMigrationTest {
    private static final String SCHEMA = "mr_upgrade_v11";

    @Override
    protected Dialect dialect() {
        return Dialect.POSTGRESQL;
    }

    @Override
    protected String emptyDatabaseUrl() throws SQLException {
        String base = System.getenv("MAILROOM_TEST_PG_URL");
        try (Connection c = DriverManager.getConnection(base, user(), password()); Statement s = c.createStatement()) {
            s.executeUpdate("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
            s.executeUpdate("CREATE SCHEMA " + SCHEMA);
        }
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA;
    }

    @Override
    protected String user() {
        return System.getenv("MAILROOM_TEST_PG_USER");
    }

    @Override
    protected String password() {
        return System.getenv("MAILROOM_TEST_PG_PASSWORD");
    }

    @Override
    protected DatabaseSettings settings(String url) {
        return DatabaseSettings.jdbc(dataDir, url, user(), password());
    }

    @Override
    protected void release(String url) {
        // A PostgreSQL database is shared by any number of connections.
    }
}
