package org.mailroom.storage.mailbox;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link JdbcMailboxMapperAclTest} on PostgreSQL; skipped unless MAILROOM_TEST_PG_URL is set (fails instead with MAILROOM_REQUIRE_PG). */
class PostgresMailboxMapperAclTest extends JdbcMailboxMapperAclTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
