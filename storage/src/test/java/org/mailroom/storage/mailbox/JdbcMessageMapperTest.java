package org.mailroom.storage.mailbox;

import org.apache.james.mailbox.store.mail.model.MapperProvider;
import org.apache.james.mailbox.store.mail.model.MessageMapperTest;
import org.apache.james.utils.UpdatableTickingClock;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** James's MessageMapper contract on embedded Derby. */
class JdbcMessageMapperTest extends MessageMapperTest {
    private StoreMapperProvider provider;

    /** The database this suite runs on, emptied; the PostgreSQL twin overrides it. */
    protected Database database() {
        return TestDatabases.derby();
    }

    @Override
    protected MapperProvider createMapperProvider() {
        provider = new StoreMapperProvider(database());
        return provider;
    }

    @Override
    protected UpdatableTickingClock updatableTickingClock() {
        return provider.clock();
    }
}
