package org.mailroom.storage.sorter;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link JdbcTokenStoreTest} on PostgreSQL; skipped unless MAILROOM_TEST_PG_URL is set (fails instead with MAILROOM_REQUIRE_PG). */
class PostgresTokenStoreTest extends JdbcTokenStoreTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
