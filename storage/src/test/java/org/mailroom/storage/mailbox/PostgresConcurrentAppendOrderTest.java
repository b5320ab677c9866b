package org.mailroom.storage.mailbox;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link ConcurrentAppendOrderTest} on PostgreSQL. */
class PostgresConcurrentAppendOrderTest extends ConcurrentAppendOrderTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
