package org.mailroom.storage.user;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** {@link MailroomAuthenticatorTest} on PostgreSQL; skipped unless MAILROOM_TEST_PG_URL is set (fails instead with MAILROOM_REQUIRE_PG). */
class PostgresMailroomAuthenticatorTest extends MailroomAuthenticatorTest {
    @Override
    protected Database database() {
        return TestDatabases.postgres();
    }
}
