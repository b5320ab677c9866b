package org.mailroom.smtp;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.metrics.api.MetricFactory;
import org.mailroom.smtp.delivery.RecipientSorting;
import org.mailroom.smtp.delivery.InboxDelivery;
import org.mailroom.smtp.outbound.OutboundService;
import org.mailroom.smtp.outbound.OutboundSettings;
import org.mailroom.smtp.outbound.OutboundSigner;
import org.mailroom.smtp.outbound.Outbox;
import org.mailroom.smtp.policy.DnsClient;
import org.mailroom.smtp.delivery.LocalDelivery;
import org.mailroom.smtp.delivery.LocalRecipients;
import org.mailroom.smtp.policy.AuthFailureThrottle;
import org.mailroom.storage.mailbox.MailboxStore;
import org.mailroom.storage.metrics.MicrometerMetricFactory;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.mailroom.storage.user.AliasRepository;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.MailroomAuthenticator;
import org.mailroom.storage.user.PasswordHasher;
import org.mailroom.storage.user.UserRepository;
import org.mailroom.testing.TestCertificate;
import org.mailroom.tls.ServerTls;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.SslProvider;

/**
 * A real Derby store in a temp folder with users alice and bob in example.test (alias ally → alice), the SMTP
 * services over it and a test certificate: what the SMTP tests run against.
 */
final class SmtpTestServers implements AutoCloseable {

    static final String DOMAIN = "example.test";
    static final String ALICE = "alice@example.test";
    static final String BOB = "bob@example.test";
    static final String PASSWORD = "correct horse battery staple";
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    final Database database;
    final MailboxStore store;
    final DomainRepository domains;
    final UserRepository users;
    final AliasRepository aliases;
    final MetricFactory metrics = new MicrometerMetricFactory(new SimpleMeterRegistry());
    final TestCertificate certificate;
    final Path spool;
    private final List<AutoCloseable> running = new ArrayList<>();

    SmtpTestServers(Path directory) throws Exception {
        database = Database.open(DatabaseSettings.embedded(directory.resolve("data")));
        domains = new DomainRepository(database);
        users = new UserRepository(database, domains, PasswordHasher.weakForTestsOnly(1_000));
        aliases = new AliasRepository(database, domains, users);
        domains.add(DOMAIN);
        users.add(ALICE, PASSWORD.toCharArray());
        users.add(BOB, PASSWORD.toCharArray());
        aliases.add("ally@example.test", ALICE);
        MailroomAuthenticator authenticator = new MailroomAuthenticator(users);
        store = new MailboxStore(database, authenticator, authenticator, metrics, Clock.systemUTC(),
            MailboxStore.Settings.defaults(), Set.of());
        certificate = TestCertificate.generate(directory);
        spool = directory.resolve("spool");
    }

    MailroomSmtpServer start(MailroomSmtpServer.Mode mode) throws Exception {
        return start(MailroomSmtpServer.Settings.of(LOOPBACK, 0, mode, "mx.example.test"), RecipientSorting.inbox());
    }

    MailroomSmtpServer start(MailroomSmtpServer.Settings settings, RecipientSorting folders) throws Exception {
        return start(settings, folders, null);
    }

    /** A listener whose submissions queue remote recipients in {@code outbox} (null = none). */
    MailroomSmtpServer start(MailroomSmtpServer.Settings settings, RecipientSorting folders, Outbox outbox)
        throws Exception {
        return start(settings, folders, outbox, ServerTls.preferredProvider());
    }

    /** A listener (inbound delivery, no outbox) whose TLS is made by {@code provider}. */
    MailroomSmtpServer start(MailroomSmtpServer.Mode mode, SslProvider provider) throws Exception {
        return start(MailroomSmtpServer.Settings.of(LOOPBACK, 0, mode, "mx.example.test"), RecipientSorting.inbox(),
            null, provider);
    }

    private MailroomSmtpServer start(MailroomSmtpServer.Settings settings, RecipientSorting folders, Outbox outbox,
                                     SslProvider provider) throws Exception {
        LocalRecipients recipients = new LocalRecipients(domains, users, aliases, Optional.empty(), settings.hostname());
        LocalDelivery delivery = new LocalDelivery(store.mailboxManager(), recipients, folders, Clock.systemUTC(), 4, 64,
            outbox);
        MailroomSmtpServer server = MailroomSmtpServer.start(settings, serverTls(provider),
            new MailroomSmtpServer.Services(users, aliases, recipients, delivery,
                AuthFailureThrottle.defaults(Clock.systemUTC()), metrics, spool));
        running.add(delivery);
        running.add(server);
        return server;
    }

    /** The test certificate served by {@code provider}'s TLS. */
    ServerTls serverTls(SslProvider provider) throws Exception {
        return ServerTls.forKeyManager(certificate.keyManager(), provider);
    }

    /**
     * Outbound delivery over this store, started: reports to local senders land in their INBOX. Closed with the
     * fixture, or earlier by the caller.
     */
    OutboundService outbound(OutboundSettings settings, DnsClient dns) {
        LocalRecipients recipients = new LocalRecipients(domains, users, aliases, Optional.empty(), "mx.example.test");
        OutboundService service = OutboundService.open(database, settings, dns,
            new InboxDelivery(store.mailboxManager(), recipients, Clock.systemUTC()), OutboundSigner.none(),
            Clock.systemUTC());
        running.add(service);
        service.start();
        return service;
    }

    /** Every message in the user's INBOX, as text, oldest first. */
    List<String> inbox(String user) throws Exception {
        MailboxManager manager = store.mailboxManager();
        MailboxSession session = manager.createSystemSession(Username.of(user));
        MailboxPath inbox = MailboxPath.inbox(session);
        List<String> messages = new ArrayList<>();
        if (!Boolean.TRUE.equals(reactor.core.publisher.Mono.from(manager.mailboxExists(inbox, session)).block())) {
            return messages;
        }
        MessageManager mailbox = manager.getMailbox(inbox, session);
        var results = mailbox.getMessages(MessageRange.all(), FetchGroup.FULL_CONTENT, session);
        while (results.hasNext()) {
            MessageResult result = results.next();
            try (InputStream in = result.getFullContent().getInputStream()) {
                messages.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return messages;
    }

    /** {@link #inbox} for use inside lambdas of assertions. */
    List<String> inboxUnchecked(String user) {
        try {
            return inbox(user);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes alice's and bob's INBOX, so tests sharing one fixture start from empty mailboxes. */
    void emptyInboxes() throws Exception {
        MailboxManager manager = store.mailboxManager();
        for (String user : List.of(ALICE, BOB)) {
            MailboxSession session = manager.createSystemSession(Username.of(user));
            MailboxPath inbox = MailboxPath.inbox(session);
            if (Boolean.TRUE.equals(reactor.core.publisher.Mono.from(manager.mailboxExists(inbox, session)).block())) {
                manager.deleteMailbox(inbox, session);
            }
        }
    }

    @Override
    public void close() throws Exception {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
        database.close();
    }
}
