package org.mailroom.storage.quota;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link JdbcMaxQuotaManagerTest} on PostgreSQL; skipped unless MAILROOM_TEST_PG_URL is set (fails instead with MAILROOM_REQUIRE_PG). */
class PostgresMaxQuotaManagerTest extends JdbcMaxQuotaManagerTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
