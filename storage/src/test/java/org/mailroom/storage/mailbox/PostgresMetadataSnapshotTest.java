package org.mailroom.storage.mailbox;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link MetadataSnapshotTest} on PostgreSQL (skipped unless {@code MAILROOM_TEST_PG_URL} is set). */
class PostgresMetadataSnapshotTest extends MetadataSnapshotTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
