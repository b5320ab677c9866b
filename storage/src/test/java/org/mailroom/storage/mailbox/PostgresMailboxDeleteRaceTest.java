package org.mailroom.storage.mailbox;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link MailboxDeleteRaceTest} on PostgreSQL; skipped unless MAILROOM_TEST_PG_URL is set (fails instead with MAILROOM_REQUIRE_PG). */
class PostgresMailboxDeleteRaceTest extends MailboxDeleteRaceTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
