package org.mailroom.storage.user;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link UserRepositoryTest} on PostgreSQL; skipped unless MAILROOM_TEST_PG_URL is set (fails instead with MAILROOM_REQUIRE_PG). */
class PostgresUserRepositoryTest extends UserRepositoryTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
