package org.mailroom.storage.mailbox;

import org.apache.james.mailbox.store.mail.model.MapperProvider;
import org.apache.james.mailbox.store.mail.model.MessageMoveTest;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** James's message move contract on embedded Derby. */
class JdbcMessageMoveTest extends MessageMoveTest {
    /** The database this suite runs on, emptied; the PostgreSQL twin overrides it. */
    protected Database database() {
        return TestDatabases.derby();
    }

    @Override
    protected MapperProvider createMapperProvider() {
        return new StoreMapperProvider(database());
    }
}
