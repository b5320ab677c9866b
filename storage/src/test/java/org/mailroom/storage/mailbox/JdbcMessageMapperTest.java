package org.mailroom.storage.mailbox;

import org.apache.james.mailbox.store.mail.model.MapperProvider;
import org.apache.james.mailbox.store.mail.model.MessageMapperTest;
import org.apache.james.utils.UpdatableTickingClock;
import org.mailroom.storage.testing.TestDatabases;

/** James's MessageMapper contract on embedded Derby. */
class JdbcMessageMapperTest extends MessageMapperTest {
    private StoreMapperProvider provider;

    @Override
    protected MapperProvider createMapperProvider() {
        provider = new StoreMapperProvider(TestDatabases.derby());
        return provider;
    }

    @Override
    protected UpdatableTickingClock updatableTickingClock() {
        return provider.clock();
    }
}
