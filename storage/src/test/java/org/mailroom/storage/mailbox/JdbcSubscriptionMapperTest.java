package org.mailroom.storage.mailbox;

import org.apache.james.mailbox.store.user.SubscriptionMapper;
import org.apache.james.mailbox.store.user.SubscriptionMapperTest;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** James's subscription mapper contract run against the shared Derby database, emptied before each test. */
class JdbcSubscriptionMapperTest extends SubscriptionMapperTest {
    /** The database this suite runs on, emptied; the PostgreSQL twin overrides it. */
    protected Database database() {
        return TestDatabases.derby();
    }

    @Override
    protected SubscriptionMapper createSubscriptionMapper() {
        return new JdbcSubscriptionMapper(database());
    }
}
