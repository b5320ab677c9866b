package org.mailroom.storage.schema;

import org.mailroom.storage.testing.TestDatabases;

/** {@link TransactionTest} on PostgreSQL (skipped unless {@code MAILROOM_TEST_PG_URL} is set). */
class PostgresTransactionTest extends TransactionTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
