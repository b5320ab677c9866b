package org.mailroom.storage.mailbox;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link RecentWatermarkTest} on PostgreSQL. */
class PostgresRecentWatermarkTest extends RecentWatermarkTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
