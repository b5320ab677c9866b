package org.mailroom.storage.mailbox;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link GroupCommitTest} on PostgreSQL. */
class PostgresGroupCommitTest extends GroupCommitTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
