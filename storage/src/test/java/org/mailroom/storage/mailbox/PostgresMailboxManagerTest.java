package org.mailroom.storage.mailbox;

import org.junit.jupiter.api.extension.ExtendWith;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.PostgresConfigured;
import org.mailroom.storage.testing.TestDatabases;

/**
 * {@link MailroomMailboxManagerTest} on PostgreSQL; skipped unless MAILROOM_TEST_PG_URL is set (fails instead with
 * MAILROOM_REQUIRE_PG). The skip is decided before set-up: James's tearDown fails after an aborted setUp.
 */
@ExtendWith(PostgresConfigured.class)
class PostgresMailboxManagerTest extends MailroomMailboxManagerTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
