package org.mailroom.storage.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;

/**
 * Real databases for the storage tests: one embedded Derby database per JVM in a temporary folder, and the
 * PostgreSQL server named by {@code MAILROOM_TEST_PG_URL} (started by .ci/run). Each suite empties the tables
 * between tests instead of creating a database per test, which keeps the contract suites fast.
 */
public final class TestDatabases {
    /** Children first, so foreign keys never block the clean-up. */
    private static final List<String> TABLES = List.of("mr_mailbox_message", "mr_message", "mr_annotation",
        "mr_subscription", "mr_current_quota", "mr_max_quota", "mr_mailbox", "mr_alias", "mr_user", "mr_domain");

    private static Database derby;
    private static Database postgres;

    private TestDatabases() {
    }

    /** The shared Derby database, emptied. */
    public static synchronized Database derby() {
        if (derby == null) {
            try {
                Path dir = Files.createTempDirectory("mailroom-test-derby");
                derby = Database.open(DatabaseSettings.embedded(dir));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return empty(derby);
    }

    /**
     * The shared PostgreSQL database, emptied. Without {@code MAILROOM_TEST_PG_URL} the test is skipped, unless
     * {@code MAILROOM_REQUIRE_PG} is set (as in CI), where a missing server is a failure.
     */
    public static synchronized Database postgres() {
        if (postgres == null) {
            String url = System.getenv("MAILROOM_TEST_PG_URL");
            if (url == null || url.isBlank()) {
                if (System.getenv("MAILROOM_REQUIRE_PG") != null) {
                    throw new IllegalStateException("MAILROOM_REQUIRE_PG is set but MAILROOM_TEST_PG_URL is not");
                }
                Assumptions.abort("PostgreSQL not configured (set MAILROOM_TEST_PG_URL to run the PostgreSQL suites)");
            }
            try {
                Path dir = Files.createTempDirectory("mailroom-test-pg");
                postgres = Database.open(DatabaseSettings.jdbc(dir, url, System.getenv("MAILROOM_TEST_PG_USER"),
                    System.getenv("MAILROOM_TEST_PG_PASSWORD")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return empty(postgres);
    }

    private static Database empty(Database db) {
        db.transactionVoid(c -> {
            try (Statement s = c.createStatement()) {
                for (String table : TABLES) {
                    s.executeUpdate("DELETE FROM " + table);
                }
            }
        });
        return db;
    }
}
