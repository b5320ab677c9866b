package org.mailroom.storage.mailbox;

import java.time.Clock;

import org.apache.james.events.EventBus;
import org.apache.james.mailbox.MailboxManagerTest;
import org.apache.james.mailbox.SubscriptionManager;
import org.apache.james.mailbox.manager.ManagerTestProvisionner;
import org.apache.james.mailbox.store.FakeAuthenticator;
import org.apache.james.mailbox.store.FakeAuthorizator;
import org.mailroom.storage.metrics.MicrometerMetricFactory;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** James's MailboxManager contract (173 tests) against the whole Mailroom store on embedded Derby. */
class MailroomMailboxManagerTest extends MailboxManagerTest<MailroomMailboxManager> {
    // The limits James's own memory backend runs this suite with (its annotation tests depend on them).
    private static final MailboxStore.Settings SUITE_SETTINGS = new MailboxStore.Settings(MailboxStore.DEFAULT_MAX_MESSAGE_SIZE, 3, 30);

    private MailboxStore store;

    protected Database database() {
        return TestDatabases.derby();
    }

    private MailboxStore store() {
        if (store == null) {
            FakeAuthenticator authenticator = new FakeAuthenticator();
            authenticator.addUser(ManagerTestProvisionner.USER, ManagerTestProvisionner.USER_PASS);
            authenticator.addUser(ManagerTestProvisionner.OTHER_USER, ManagerTestProvisionner.OTHER_USER_PASS);
            store = new MailboxStore(database(), authenticator, FakeAuthorizator.defaultReject(),
                new MicrometerMetricFactory(new SimpleMeterRegistry()), Clock.systemUTC(), SUITE_SETTINGS, preDeletionHooks());
        }
        return store;
    }

    @Override
    protected MailroomMailboxManager provideMailboxManager() {
        store = null;
        return store().mailboxManager();
    }

    @Override
    protected SubscriptionManager provideSubscriptionManager() {
        return store().subscriptionManager();
    }

    @Override
    protected EventBus retrieveEventBus(MailroomMailboxManager mailboxManager) {
        return mailboxManager.getEventBus();
    }
}
