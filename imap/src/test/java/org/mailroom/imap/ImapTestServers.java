package org.mailroom.imap;

import org.mailroom.testing.TestCertificate;
import org.mailroom.tls.ServerTls;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;

import org.apache.james.metrics.api.MetricFactory;
import org.mailroom.storage.mailbox.MailboxStore;
import org.mailroom.storage.metrics.MicrometerMetricFactory;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.MailroomAuthenticator;
import org.mailroom.storage.user.PasswordHasher;
import org.mailroom.storage.user.UserRepository;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.SslProvider;

/** A real Derby store in a temp folder with one user, and a test certificate: what the IMAP tests run against. */
final class ImapTestServers implements AutoCloseable {

    static final String USER = "alice@example.test";
    static final String PASSWORD = "correct horse battery staple";
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    final Database database;
    final MailboxStore store;
    final MetricFactory metrics = new MicrometerMetricFactory(new SimpleMeterRegistry());
    final TestCertificate certificate;
    final UserRepository users;

    ImapTestServers(Path directory) throws Exception {
        database = Database.open(DatabaseSettings.embedded(directory.resolve("data")));
        DomainRepository domains = new DomainRepository(database);
        users = new UserRepository(database, domains, PasswordHasher.weakForTestsOnly(1_000));
        domains.add("example.test");
        users.add(USER, PASSWORD.toCharArray());
        MailroomAuthenticator authenticator = new MailroomAuthenticator(users);
        store = new MailboxStore(database, authenticator, authenticator, metrics, Clock.systemUTC(),
            MailboxStore.Settings.defaults(), Set.of());
        certificate = TestCertificate.generate(directory);
    }

    MailroomImapServer start(MailroomImapServer.Settings settings) throws Exception {
        return start(settings, ServerTls.preferredProvider());
    }

    /** A listener whose TLS is made by {@code provider}. */
    MailroomImapServer start(MailroomImapServer.Settings settings, SslProvider provider) throws Exception {
        return MailroomImapServer.start(store, serverTls(provider), metrics, settings);
    }

    /** The test certificate served by {@code provider}'s TLS. */
    ServerTls serverTls(SslProvider provider) throws Exception {
        return ServerTls.forKeyManager(certificate.keyManager(), provider);
    }

    /** Adds a user of example.test with {@link #PASSWORD} and returns its address. */
    String addUser(String localPart) throws Exception {
        String address = localPart + "@example.test";
        users.add(address, PASSWORD.toCharArray());
        return address;
    }

    /** A loopback STARTTLS listener that allows LOGIN in clear, for raw-socket tests. */
    MailroomImapServer startPlain(ImapLimits limits, FolderNames folders) throws Exception {
        return start(MailroomImapServer.Settings.startTls(LOOPBACK, 0, "mail.example.test")
            .withPlaintextLoginAllowed(true).withLimits(limits).withFolders(folders));
    }

    @Override
    public void close() {
        database.close();
    }
}
