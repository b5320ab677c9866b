package org.mailroom.storage.mailbox;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link MinimalFetchTest} on PostgreSQL (skipped unless {@code MAILROOM_TEST_PG_URL} is set). */
class PostgresMinimalFetchTest extends MinimalFetchTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
