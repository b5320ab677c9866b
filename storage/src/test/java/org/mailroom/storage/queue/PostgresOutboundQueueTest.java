package org.mailroom.storage.queue;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link OutboundQueueTest} on PostgreSQL; skipped unless MAILROOM_TEST_PG_URL is set (fails instead with MAILROOM_REQUIRE_PG). */
class PostgresOutboundQueueTest extends OutboundQueueTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
