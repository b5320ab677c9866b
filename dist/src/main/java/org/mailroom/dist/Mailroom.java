package org.mailroom.dist;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;

import org.mailroom.dist.admin.UserDirectory;
import org.mailroom.dist.config.MailroomConfig;
import org.mailroom.storage.mailbox.MailboxStore;
import org.mailroom.storage.metrics.MicrometerMetricFactory;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.user.AliasRepository;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.MailroomAuthenticator;
import org.mailroom.storage.user.PasswordHasher;
import org.mailroom.storage.user.UserRepository;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The composition root: every part of a Mailroom process is built here from the configuration, with plain
 * constructors, in the order the parts depend on each other. Read {@link #start()} top to bottom to see the
 * whole server.
 */
public final class Mailroom {
    private final MailroomConfig config;
    private final Path configFile;
    private final PrintWriter out;

    public Mailroom(MailroomConfig config, Path configFile, PrintWriter out) {
        this.config = config;
        this.configFile = configFile;
        this.out = out;
    }

    /**
     * Runs the server. The store opens first and closes last because every other part reads and writes
     * through it; a store that cannot be opened throws {@link org.mailroom.storage.schema.StorageStartupException}.
     */
    public int start() {
        out.println("Mailroom " + config.server().hostname() + ", configuration " + configFile.toAbsolutePath());
        try (Database database = Database.open(config.storage().databaseSettings())) {
            out.println("  running    store: " + database + ", schema up to date");

            DomainRepository domains = new DomainRepository(database);
            UserRepository users = new UserRepository(database, domains, PasswordHasher.defaults());
            MailroomAuthenticator authenticator = new MailroomAuthenticator(users);
            // An in-memory registry until the HTTP part serves metrics; then it becomes the Prometheus one.
            MeterRegistry meters = new SimpleMeterRegistry();
            MailboxStore mailboxes = new MailboxStore(database, authenticator, authenticator,
                new MicrometerMetricFactory(meters), Clock.systemUTC(),
                MailboxStore.Settings.defaults().withMaxMessageSize(config.limits().maxMessageSize().bytes()), Set.of());
            out.println("  running    mailbox manager: " + mailboxes.mailboxManager().getClass().getSimpleName()
                + " over the store (" + domains.list().size() + " domains, " + users.list().size() + " users)");

            // The parts below are built here, in this order, as their issues land: each replaces its line in
            // notRunning with a constructor call, and start() then waits for a shutdown signal before closing
            // them in reverse order. Until then nothing listens on their ports.
            List<String> notRunning = List.of(
                "sorter           Priority / Inbox / Spam classification and learning",
                "SMTP inbound     MX on " + listener(config.smtp().port()),
                "SMTP submission  " + listener(config.submission().port()) + " STARTTLS, "
                    + listener(config.submission().tlsPort()) + " TLS",
                "IMAP             " + listener(config.imap().port()) + " STARTTLS, "
                    + listener(config.imap().tlsPort()) + " TLS (server in imap/, not wired: needs TLS certificates)",
                "outbound queue   delivery to other servers, retries and bounces",
                "HTTP             autoconfig and metrics on " + listener(config.http().port()));
            for (String part : notRunning) {
                out.println("  not yet    " + part);
            }
        }
        out.println("Store closed. Nothing is served yet: SMTP, IMAP, the sorter and the outbound queue are not"
            + " running in this build.");
        out.flush();
        return ExitCode.OK;
    }

    /**
     * Opens the store and the user, domain and alias repositories for one administration command. Until admin
     * commands go through the running server, this needs the database to itself when it is embedded Derby.
     */
    public UserDirectory openUserDirectory() {
        Database database = Database.open(config.storage().databaseSettings());
        try {
            DomainRepository domains = new DomainRepository(database);
            UserRepository users = new UserRepository(database, domains, PasswordHasher.defaults());
            AliasRepository aliases = new AliasRepository(database, domains, users);
            return new UserDirectory(database, domains, users, aliases);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private String listener(int port) {
        return config.server().bindAddress() + ":" + port;
    }
}
