package org.mailroom.storage.mailbox;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/**
 * {@link MetadataRowsWithoutWaitingTest} on PostgreSQL (skipped unless {@code MAILROOM_TEST_PG_URL} is set), where the
 * mapper's read is the same and readers never see a writer's uncommitted marks (the IMAP path does not take it there:
 * the message manager answers false for a database in another process).
 */
class PostgresMetadataRowsWithoutWaitingTest extends MetadataRowsWithoutWaitingTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
