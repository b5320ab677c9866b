package org.mailroom.storage.mailbox;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link RecentFlagModSeqTest} on PostgreSQL. */
class PostgresRecentFlagModSeqTest extends RecentFlagModSeqTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
