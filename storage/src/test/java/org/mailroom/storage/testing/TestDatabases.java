package org.mailroom.storage.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Assumptions;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;

/**
 * Real databases for the storage tests: one embedded Derby database per JVM in a temporary folder, and the
 * PostgreSQL server named by {@code MAILROOM_TEST_PG_URL} (started by .ci/run). Each suite empties the tables
 * between tests instead of creating a database per test, which keeps the contract suites fast.
 */
public final class TestDatabases {
    private static final String HISTORY_TABLE = "mr_schema_history";

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

    /**
     * Empties every Mailroom table that exists in the schema (read from the catalog, so a table added by a later
     * migration is never forgotten), children before the tables their foreign keys reference.
     */
    static Database empty(Database db) {
        db.transactionVoid(c -> {
            try (Statement s = c.createStatement()) {
                for (String table : tablesChildrenFirst(c)) {
                    s.executeUpdate("DELETE FROM " + table);
                }
            }
        });
        return db;
    }

    /** Mailroom's tables (all but Flyway's history), ordered so that no table precedes one that references it. */
    static List<String> tablesChildrenFirst(Connection c) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        String schema = c.getSchema();
        Map<String, Set<String>> referencedBy = new LinkedHashMap<>();
        try (ResultSet rs = meta.getTables(null, schema, "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME");
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.startsWith("mr_") && !lower.equals(HISTORY_TABLE)) {
                    referencedBy.put(name, new HashSet<>());
                }
            }
        }
        for (String table : referencedBy.keySet()) {
            try (ResultSet rs = meta.getImportedKeys(null, schema, table)) {
                while (rs.next()) {
                    String parent = rs.getString("PKTABLE_NAME");
                    if (referencedBy.containsKey(parent) && !parent.equals(table)) {
                        referencedBy.get(parent).add(table);
                    }
                }
            }
        }
        if (referencedBy.isEmpty()) {
            throw new IllegalStateException("No Mailroom tables found in schema " + schema);
        }
        List<String> ordered = new ArrayList<>();
        while (!referencedBy.isEmpty()) {
            String next = referencedBy.entrySet().stream()
                .filter(e -> ordered.containsAll(e.getValue()))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("Foreign-key cycle among " + referencedBy.keySet()));
            ordered.add(next);
            referencedBy.remove(next);
        }
        return ordered;
    }
}
