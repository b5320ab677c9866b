package org.mailroom.storage.mailbox;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link KnownKeywordsTest} on PostgreSQL. */
class PostgresKnownKeywordsTest extends KnownKeywordsTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
