package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Set;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.store.FakeAuthenticator;
import org.apache.james.mailbox.store.FakeAuthorizator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.metrics.MicrometerMetricFactory;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The store's own limits, through the same MailboxManager API that IMAP and SMTP use. */
class MailboxStoreLimitsTest {
    private static final int LIMIT = 10_000;

    private Database db;
    private MailboxStore store;
    private MailboxSession session;
    private MessageManager inbox;

    /** The database this suite runs on, emptied; the PostgreSQL twin overrides it. */
    protected Database database() {
        return TestDatabases.derby();
    }

    @BeforeEach
    void setUp() throws Exception {
        db = database();
        store = new MailboxStore(db, new FakeAuthenticator(), FakeAuthorizator.defaultReject(),
            new MicrometerMetricFactory(new SimpleMeterRegistry()), Clock.systemUTC(),
            MailboxStore.Settings.defaults().withMaxMessageSize(LIMIT), Set.of());
        session = store.mailboxManager().createSystemSession(Username.of("alice@example.org"));
        MailboxPath path = MailboxPath.inbox(session);
        store.mailboxManager().createMailbox(path, session);
        inbox = store.mailboxManager().getMailbox(path, session);
    }

    @Test
    void messageOverTheSizeLimitIsRefusedAndNothingIsStored() throws Exception {
        byte[] big = message(LIMIT + 1);

        assertThatThrownBy(() -> inbox.appendMessage(MessageManager.AppendCommand.builder().build(big), session))
            .isInstanceOf(MessageTooLargeException.class)
            .hasMessageContaining(String.valueOf(LIMIT));

        assertThat(inbox.getMessageCount(session)).isZero();
        assertThat(rowCount("mr_message")).isZero();
        assertThat(rowCount("mr_mailbox_message")).isZero();
    }

    @Test
    void messageAtTheLimitIsStored() throws Exception {
        inbox.appendMessage(MessageManager.AppendCommand.builder().build(message(LIMIT)), session);

        assertThat(inbox.getMessageCount(session)).isEqualTo(1);
    }

    private long rowCount(String table) {
        return db.read(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private static byte[] message(int size) {
        String header = "From: bob@example.org\r\nTo: alice@example.org\r\nSubject: size\r\n\r\n";
        StringBuilder body = new StringBuilder();
        while (header.length() + body.length() < size) {
            body.append('x');
        }
        return (header + body).getBytes(StandardCharsets.US_ASCII);
    }
}
