package org.mailroom.storage.quota;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link JdbcCurrentQuotaManagerTest} on PostgreSQL; skipped unless MAILROOM_TEST_PG_URL is set (fails instead with MAILROOM_REQUIRE_PG). */
class PostgresCurrentQuotaManagerTest extends JdbcCurrentQuotaManagerTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
