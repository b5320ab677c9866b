package org.mailroom.storage.queue;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/**
 * {@link DeliverySchedulerTest} on PostgreSQL (Quartz's PostgreSQLDelegate, BYTEA job data): the shared database
 * stays open across the "restart", the scheduler is closed and opened again over it. Skipped unless
 * MAILROOM_TEST_PG_URL is set (fails instead with MAILROOM_REQUIRE_PG).
 */
class PostgresDeliverySchedulerTest extends DeliverySchedulerTest {
    @Override
    protected Database open() {
        return TestDatabases.postgres();
    }

    @Override
    protected void close(Database database) {
        // Shared by every PostgreSQL suite in this JVM.
    }
}
