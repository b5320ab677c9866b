package org.mailroom.storage.mailbox;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link FlagUpdateConcurrencyTest} on PostgreSQL. */
class PostgresFlagUpdateConcurrencyTest extends FlagUpdateConcurrencyTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
