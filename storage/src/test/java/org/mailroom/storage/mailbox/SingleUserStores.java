package org.mailroom.storage.mailbox;

import java.time.Clock;
import java.util.Set;

import org.apache.james.core.Username;
import org.apache.james.mailbox.store.FakeAuthenticator;
import org.apache.james.mailbox.store.FakeAuthorizator;
import org.mailroom.storage.metrics.MicrometerMetricFactory;
import org.mailroom.storage.schema.Database;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** A mailbox manager over a real database with one known user, for tests that read and write through James's API. */
final class SingleUserStores {
    private SingleUserStores() {
    }

    static MailroomMailboxManager manager(Database database, Username user) {
        FakeAuthenticator authenticator = new FakeAuthenticator();
        authenticator.addUser(user, "secret");
        return store(database, authenticator).mailboxManager();
    }

    /** A whole store over a real database whose authenticator knows no user: system sessions only. */
    static MailboxStore store(Database database) {
        return store(database, new FakeAuthenticator());
    }

    private static MailboxStore store(Database database, FakeAuthenticator authenticator) {
        return new MailboxStore(database, authenticator, FakeAuthorizator.defaultReject(),
            new MicrometerMetricFactory(new SimpleMeterRegistry()), Clock.systemUTC(), MailboxStore.Settings.defaults(),
            Set.of());
    }
}
