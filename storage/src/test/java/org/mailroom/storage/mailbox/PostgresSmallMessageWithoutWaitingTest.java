package org.mailroom.storage.mailbox;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link SmallMessageWithoutWaitingTest} on PostgreSQL (readers never wait for writers there: MVCC). */
class PostgresSmallMessageWithoutWaitingTest extends SmallMessageWithoutWaitingTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
