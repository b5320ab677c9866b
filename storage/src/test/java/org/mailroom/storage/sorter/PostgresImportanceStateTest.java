package org.mailroom.storage.sorter;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link JdbcImportanceStateTest} on PostgreSQL; skipped unless MAILROOM_TEST_PG_URL is set (fails instead with MAILROOM_REQUIRE_PG). */
class PostgresImportanceStateTest extends JdbcImportanceStateTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
