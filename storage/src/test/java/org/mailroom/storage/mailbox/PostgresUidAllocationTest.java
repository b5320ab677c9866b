package org.mailroom.storage.mailbox;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link UidAllocationTest} on PostgreSQL. */
class PostgresUidAllocationTest extends UidAllocationTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
