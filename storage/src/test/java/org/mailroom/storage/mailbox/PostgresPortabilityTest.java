package org.mailroom.storage.mailbox;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link JdbcPortabilityTest} on PostgreSQL; skipped unless MAILROOM_TEST_PG_URL is set (fails instead with MAILROOM_REQUIRE_PG). */
class PostgresPortabilityTest extends JdbcPortabilityTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
