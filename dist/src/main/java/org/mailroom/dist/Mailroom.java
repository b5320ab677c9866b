package org.mailroom.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.mailroom.dist.control.AdminEndpoint;
import org.mailroom.dist.http.ClientSettings;
import org.mailroom.dist.http.HttpService;
import org.mailroom.dist.metrics.ServerMeters;
import org.mailroom.smtp.outbound.dkim.DkimKeyDirectory;
import org.mailroom.smtp.outbound.dkim.DkimSigner;
import org.mailroom.dist.admin.SortingTools;
import org.mailroom.dist.admin.QueueDirectory;
import org.mailroom.dist.config.MailroomConfig;
import org.mailroom.dist.config.OutboundConfig;
import org.mailroom.dist.config.TimeSpan;

import org.mailroom.dist.learning.MailboxContentLookup;
import org.mailroom.dist.tls.TlsMaterial;
import org.mailroom.imap.FolderNames;
import org.mailroom.imap.ImapEventLoops;
import org.mailroom.imap.ImapLimits;
import org.mailroom.imap.LoginThrottle;
import org.mailroom.imap.learning.UserActionPublisher;
import org.mailroom.imap.MailroomImapServer;
import org.mailroom.smtp.MailroomSmtpServer;
import org.mailroom.smtp.delivery.InboxDelivery;
import org.mailroom.smtp.outbound.OutboundService;
import org.mailroom.smtp.outbound.OutboundSettings;
import org.mailroom.smtp.outbound.OutboundSigner;
import org.mailroom.smtp.outbound.RetrySchedule;
import org.mailroom.smtp.outbound.Smarthost;
import org.mailroom.smtp.policy.DnsClient;
import org.mailroom.smtp.delivery.LocalDelivery;
import org.mailroom.smtp.delivery.RecipientSorting;
import org.mailroom.smtp.delivery.SorterPlacement;
import org.mailroom.sorter.Decision;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.SortObserver;
import org.mailroom.sorter.Signal;
import org.mailroom.sorter.Sorter;
import org.mailroom.sorter.attachment.AttachmentInspector;
import org.mailroom.sorter.attachment.DisguisedAttachment;
import org.mailroom.sorter.attachment.ExecutableAttachment;
import org.mailroom.sorter.attachment.UninspectableAttachment;
import org.mailroom.sorter.learning.LearningDispatcher;
import org.mailroom.sorter.importance.ImportanceModel;
import org.mailroom.sorter.message.MailParser;
import org.mailroom.sorter.spam.SpamFilter;
import org.mailroom.sorter.spam.signals.DnsblListing;
import org.mailroom.sorter.rules.RuleFiles;
import org.mailroom.smtp.delivery.LocalRecipients;
import org.mailroom.smtp.delivery.SpooledEnvelope;
import org.mailroom.smtp.policy.AuthFailureThrottle;
import org.mailroom.smtp.policy.DnsChecks;
import org.mailroom.smtp.policy.DnsSettings;
import org.mailroom.smtp.policy.DnsblZone;
import org.mailroom.dist.config.DnsServers;
import org.mailroom.storage.mailbox.MailboxStore;
import org.mailroom.storage.metrics.MicrometerMetricFactory;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.sorter.JdbcImportanceState;
import org.mailroom.storage.sorter.JdbcTokenStore;
import org.mailroom.storage.user.AliasRepository;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.MailroomAuthenticator;
import org.mailroom.storage.user.PasswordHasher;
import org.mailroom.storage.user.UserRepository;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResultIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The composition root: every part of a Mailroom process is built here from the configuration, with plain
 * constructors, in the order the parts depend on each other. Read {@link #start()} top to bottom to see the
 * whole server.
 */
public final class Mailroom {
    private static final Logger LOG = LoggerFactory.getLogger(Mailroom.class);
    /** How many received messages may wait for a delivery thread (smtp.workers of them) before SMTP answers 451. */
    private static final int DELIVERY_QUEUE = 64;
    /** How long SMTP keeps the answer to "who receives this address" (admin commands here drop it at once). */
    private static final Duration RECIPIENT_ANSWERS_KEPT = Duration.ofMinutes(1);
    /** The sorter reads at most this much of a message (text and attachments beyond are stored, not judged). */
    private static final int SORTER_MAX_PARSED_BYTES = 8 * 1024 * 1024;
    /** User actions waiting to be learned from before more are dropped (with a warning). */
    private static final int LEARNING_QUEUE = 10_000;

    private final MailroomConfig config;
    private final Path configFile;
    private final PrintWriter out;
    private final long headerCacheBytes;

    public Mailroom(MailroomConfig config, Path configFile, PrintWriter out) {
        this(config, configFile, out, MailboxStore.Settings.DEFAULT_HEADER_CACHE_BYTES);
    }

    /** A Mailroom whose header searches keep at most {@code headerCacheBytes} between searches (the warm-up's). */
    Mailroom(MailroomConfig config, Path configFile, PrintWriter out, long headerCacheBytes) {
        this.config = config;
        this.configFile = configFile;
        this.out = out;
        this.headerCacheBytes = headerCacheBytes;
    }

    /**
     * Runs the server in the foreground until the process is asked to stop (SIGTERM, SIGINT), then stops every
     * part in reverse order, hands {@code out} to {@code afterOrderlyStop} (only when every part had started and
     * stopped) and returns.
     */
    public int start(Consumer<PrintWriter> afterOrderlyStop) {
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        // The hook waits for the orderly stop below, so the JVM does not exit with the store still open.
        Thread hook = new Thread(() -> {
            stopRequested.countDown();
            awaitQuietly(stopped);
        }, "mailroom-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            try (RunningMailroom running = launch()) {
                out.println("Mailroom is running; stop it with Ctrl-C or SIGTERM.");
                out.flush();
                awaitQuietly(stopRequested);
                out.println("Stopping Mailroom...");
                out.flush();
            }
            // Still inside the shutdown hook's wait: the JVM does not exit before this is done.
            afterOrderlyStop.accept(out);
        } finally {
            out.println("Mailroom stopped.");
            out.flush();
            stopped.countDown();
        }
        return ExitCode.OK;
    }

    /**
     * Starts every part, top to bottom in the order they depend on each other, and returns them running. The
     * store opens first and closes last because every other part reads and writes through it; a store that
     * cannot be opened throws {@link org.mailroom.storage.schema.StorageStartupException}.
     */
    public RunningMailroom launch() {
        out.println("Mailroom " + config.server().hostname() + ", configuration " + configFile.toAbsolutePath());
        RunningMailroom running = new RunningMailroom();
        try {
            Database database = running.started(Database.open(config.storage().databaseSettings()));
            out.println("  running    store: " + database + ", schema up to date");

            DomainRepository domains = new DomainRepository(database);
            UserRepository users = new UserRepository(database, domains, PasswordHasher.defaults());
            MailroomAuthenticator authenticator = new MailroomAuthenticator(users);
            // One registry for every part (store, SMTP, IMAP, JVM), scraped by /metrics on the HTTP port.
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            running.started(bindJvmMetrics(meters));
            MicrometerMetricFactory metrics = new MicrometerMetricFactory(meters);
            ServerMeters serverMeters = new ServerMeters(meters);
            MailboxStore mailboxes = new MailboxStore(database, authenticator, authenticator, metrics,
                Clock.systemUTC(), storeSettings(config).withHeaderCacheBytes(headerCacheBytes), Set.of());
            out.println("  running    mailbox manager: " + mailboxes.mailboxManager().getClass().getSimpleName()
                + " over the store (" + domains.list().size() + " domains, " + users.list().size() + " users)");

            // The sorter: user rules (conf/rules, conf/rules.d/<user>.rules, re-read when they change) first, then
            // the signals, over attachments Tika has looked into. Delivery asks it once per local recipient.
            RuleFiles rules = new RuleFiles(rulesFile(), userRulesDirectory());
            AttachmentInspector attachments = running.started(new AttachmentInspector(
                AttachmentInspector.Limits.defaults()));
            Thread warmUp = daemon(attachments::warmUp, "mailroom-tika-warm-up");
            warmUp.start();
            // The learned models keep their state in the store: the spam filter's token weights (global and per
            // user) and the importance model's contact, thread and weight tables.
            SpamFilter spamFilter = new SpamFilter(new JdbcTokenStore(database));
            OwnAddresses ownAddresses = ownAddresses(database);
            ImportanceModel importance = importanceModel(database, ownAddresses);
            List<Signal> signals = signals(spamFilter, importance);
            Sorter sorter = new Sorter(rules, signals, attachments);

            // What users do teaches the sorter, on one background thread: IMAP actions (moves into and out of Spam
            // and Priority, junk and importance keywords) train the spam filter and label importance; every
            // delivered message is remembered for the importance model, and mail users send through submission
            // tells it whom they write to and answer. The bus stops with the store.
            LearningDispatcher learning = running.started(new LearningDispatcher(
                new MailboxContentLookup(mailboxes, new MailParser(), sorter),
                spamFilter::learn, importance::learnLabels, importance::recordArrivals, importance::learnSent,
                LEARNING_QUEUE));
            SorterPlacement placement = placement(sorter, learning::received, serverMeters);
            List<String> ruleProblems = rules.problems(null);
            out.println("  running    sorter           rules " + rulesFile() + (ruleProblems.isEmpty() ? ""
                : " (NOT loaded: " + String.join("; ", ruleProblems) + ")") + ", per-user rules in "
                + userRulesDirectory() + ", " + signals.size() + " signals (spam filter and importance model"
                + " learning from users)");
            UserActionPublisher.register(mailboxes, FolderNames.defaults(), learning);

            TlsMaterial tls = TlsMaterial.load(config.tls(), config.storage().dataDirectory(), config.server().hostname());
            out.println("  running    TLS: " + tls.summary());
            ScheduledExecutorService tlsReloader = Executors.newSingleThreadScheduledExecutor(
                runnable -> daemon(runnable, "mailroom-tls-reload"));
            running.started(tlsReloader::shutdownNow);
            tlsReloader.scheduleWithFixedDelay(() -> reloadTls(tls), 1, 1, TimeUnit.MINUTES);

            InetAddress bind = bindAddress();
            LoginThrottle imapThrottle = new LoginThrottle(LoginThrottle.Policy.defaults(), Clock.systemUTC());
            // Both IMAP listeners on one group of event loops (native epoll on Linux), stopped after them.
            ImapEventLoops imapLoops = running.started(ImapEventLoops.create());
            ImapLimits imapLimits = imapLimits(config);
            MailroomImapServer imap = running.started(MailroomImapServer.start(mailboxes, tls.serverTls(), metrics,
                MailroomImapServer.Settings.startTls(bind, config.imap().port(), config.server().hostname())
                    .withLimits(imapLimits),
                imapThrottle, serverMeters, imapLoops));
            MailroomImapServer imaps = running.started(MailroomImapServer.start(mailboxes, tls.serverTls(), metrics,
                MailroomImapServer.Settings.implicitTls(bind, config.imap().tlsPort(), config.server().hostname())
                    .withLimits(imapLimits),
                imapThrottle, serverMeters, imapLoops));
            running.imapPorts(imap.port(), imaps.port());
            out.println("  running    IMAP             " + listener(imap.port()) + " STARTTLS, "
                + listener(imaps.port()) + " TLS" + (imapLoops.nativeTransport() ? " (native epoll)" : " (NIO)"));

            AliasRepository aliases = new AliasRepository(database, domains, users);
            // Every RCPT asks who receives an address: answers are kept a minute (a server sharing the database sees
            // another's change within it), and every admin command run here drops them (ServerAdminBackend).
            LocalRecipients recipients = new LocalRecipients(domains, users, aliases, Optional.empty(),
                config.server().hostname(), RECIPIENT_ANSWERS_KEPT);
            // Outbound: the queue in the store, its Quartz schedule, MX routing over the configured resolvers.
            // Started before the SMTP listeners that fill it and stopped after them; reports to local senders go
            // straight to their INBOX. Outgoing mail is DKIM-signed when its From domain has a key (admin dkim).
            OutboundService outbound = running.started(OutboundService.open(database, outboundSettings(),
                DnsClient.of(dnsSettings()), new InboxDelivery(mailboxes.mailboxManager(), recipients, Clock.systemUTC()),
                new DkimSigner(dkimKeys(config), Clock.systemUTC()), Clock.systemUTC(), serverMeters));
            serverMeters.outboundQueue(() -> outbound.queue().pendingMessageIds().size());
            outbound.start();
            out.println("  running    outbound queue   " + outbound.list(Integer.MAX_VALUE).size() + " queued, "
                + config.outbound().concurrency() + " deliveries at once, "
                + (config.outbound().smarthost() != null ? "via smarthost " + config.outbound().smarthost()
                    : "direct to MX hosts on port " + config.outbound().remotePort()));

            LocalDelivery delivery = running.started(new LocalDelivery(mailboxes.mailboxManager(), recipients,
                placement, Clock.systemUTC(), config.smtp().workers(), DELIVERY_QUEUE, outbound, learning::sent));
            Path spool = config.storage().dataDirectory().resolve("spool");
            removeSpoolLeftovers(spool);
            MailroomSmtpServer.Services smtpServices = new MailroomSmtpServer.Services(users, aliases, recipients,
                delivery, AuthFailureThrottle.defaults(Clock.systemUTC()), metrics, spool, serverMeters);
            MailroomSmtpServer.Limits smtpLimits = new MailroomSmtpServer.Limits(
                config.limits().maxMessageSize().bytes(), config.smtp().maxRecipients(),
                config.smtp().maxConnectionsPerIp(), config.smtp().maxBadCommands(),
                (int) config.smtp().idleTimeout().duration().getSeconds());
            MailroomSmtpServer mx = running.started(MailroomSmtpServer.start(smtpListener(bind, config.smtp().port(),
                MailroomSmtpServer.Mode.INBOUND, smtpLimits), tls.serverTls(), smtpServices));
            MailroomSmtpServer submission = running.started(MailroomSmtpServer.start(smtpListener(bind,
                config.submission().port(), MailroomSmtpServer.Mode.SUBMISSION_STARTTLS, smtpLimits),
                tls.serverTls(), smtpServices));
            MailroomSmtpServer submissions = running.started(MailroomSmtpServer.start(smtpListener(bind,
                config.submission().tlsPort(), MailroomSmtpServer.Mode.SUBMISSION_IMPLICIT_TLS, smtpLimits),
                tls.serverTls(), smtpServices));
            running.smtpPorts(mx.port(), submission.port(), submissions.port());
            out.println("  running    SMTP inbound     MX on " + listener(mx.port()) + " (STARTTLS offered)");
            out.println("  running    SMTP submission  " + listener(submission.port()) + " STARTTLS, "
                + listener(submissions.port()) + " TLS; remote recipients queued");

            ClientSettings clients = new ClientSettings(config.server().hostname(), imaps.port(), imap.port(),
                submissions.port(), submission.port());
            HttpService http = running.started(HttpService.start(bind, config.http().port(), clients, domains::contains,
                meters));
            running.httpPort(http.port());
            out.println("  running    HTTP             " + listener(http.port())
                + " autoconfig, autodiscover, /metrics, /healthz");

            // Last to start, first to stop: while its file exists in the data directory, admin commands come here.
            ServerAdminBackend adminBackend = new ServerAdminBackend(database, domains, users, aliases, mailboxes, dkimKeys(config),
                config.storage().dataDirectory(), () -> runningSortingTools(rules, sorter, mailboxes), outbound,
                placement, recipients, ownAddresses);
            AdminEndpoint admin = running.started(AdminEndpoint.start(config.storage().dataDirectory(),
                request -> Main.runInServer(adminBackend, request)));
            out.println("  running    admin endpoint   127.0.0.1:" + admin.port() + " (for ./mailroom admin while running)");

            out.flush();
            return running;
        } catch (RuntimeException e) {
            running.close();
            throw e;
        }
    }

    /**
     * Every signal the sorter weighs, in the order they run; each is one class that can be read alone. The spam
     * filter also weighs the header and structure checks and the DNSBL listing through its own features.
     */
    static List<Signal> signals(SpamFilter spamFilter, ImportanceModel importance) {
        return List.of(new ExecutableAttachment(), new DisguisedAttachment(), new UninspectableAttachment(),
            new DnsblListing(), spamFilter, importance);
    }

    /**
     * The importance model over the store. A user's aliases are the user's own addresses (mail to an alias is
     * addressed to the user; mail from one is the user's); they are looked up at most once a minute per user
     * ({@link OwnAddresses}), so an alias added while the server runs counts within a minute without a query per
     * sorted message, and at once when the change is an admin command run in this server.
     */
    static ImportanceModel importanceModel(Database database) {
        return importanceModel(database, ownAddresses(database));
    }

    static ImportanceModel importanceModel(Database database, OwnAddresses ownAddresses) {
        return new ImportanceModel(new JdbcImportanceState(database), ownAddresses,
            ImportanceModel.Settings.defaults());
    }

    static OwnAddresses ownAddresses(Database database) {
        DomainRepository domains = new DomainRepository(database);
        return new OwnAddresses(new AliasRepository(database, domains,
            new UserRepository(database, domains, PasswordHasher.defaults())));
    }

    /**
     * The placement SMTP delivery uses (rules, signals with the learned models, attachment inspection), over
     * {@code database}, for {@code admin import} while the server is stopped; what it opens is added to
     * {@code opened} for the caller to close.
     */
    RecipientSorting importSorting(Database database, List<AutoCloseable> opened) {
        AttachmentInspector attachments = new AttachmentInspector(AttachmentInspector.Limits.defaults());
        opened.add(attachments);
        return placement(storedModelSorter(database, new RuleFiles(rulesFile(), userRulesDirectory()), attachments),
            mail -> { }, SortObserver.NONE);
    }

    /**
     * The sorter over the learned models in {@code database}, for the admin paths that run without the server
     * ({@code import}, {@code explain}, {@code rules test}): the same signals as {@link #launch()}, no learning.
     */
    private static Sorter storedModelSorter(Database database, RuleFiles rules, AttachmentInspector attachments) {
        return new Sorter(rules, signals(new SpamFilter(new JdbcTokenStore(database)), importanceModel(database)),
            attachments);
    }

    /** How delivery and import place a message with {@code sorter}: the folders, parse limit and clock of both. */
    private static SorterPlacement placement(Sorter sorter, Consumer<IncomingMail> sorted, SortObserver observer) {
        FolderNames folderNames = FolderNames.defaults();
        return new SorterPlacement(sorter, new SorterPlacement.Folders(folderNames.priority(), folderNames.spam()),
            new MailParser(), SORTER_MAX_PARSED_BYTES, Clock.systemUTC(), sorted, observer);
    }

    /** The global rules file: {@code rules} next to the configuration file. */
    Path rulesFile() {
        return configDirectory().resolve("rules");
    }

    /** Per-user rules: {@code rules.d/<user>.rules} next to the configuration file. */
    Path userRulesDirectory() {
        return configDirectory().resolve("rules.d");
    }

    private Path configDirectory() {
        Path parent = configFile.toAbsolutePath().getParent();
        return parent == null ? Path.of(".") : parent;
    }

    private MailroomSmtpServer.Settings smtpListener(InetAddress bind, int port, MailroomSmtpServer.Mode mode,
                                                     MailroomSmtpServer.Limits limits) {
        return MailroomSmtpServer.Settings.of(bind, port, mode, config.server().hostname()).withLimits(limits)
            .withWorkers(config.smtp().workers()).withDnsChecks(dnsChecks());
    }

    /** SPF and block lists from the smtp and dns sections (validated at load, so the parsing here cannot fail). */
    private DnsChecks dnsChecks() {
        List<DnsblZone> zones = config.smtp().dnsbl().stream()
            .map(entry -> "reject".equalsIgnoreCase(entry.action()) ? DnsblZone.reject(entry.zone()) : DnsblZone.score(entry.zone()))
            .toList();
        return DnsChecks.defaults().withSpf(config.smtp().spf()).withDnsbl(zones).withDns(dnsSettings());
    }

    /** The resolvers of the dns section, shared by the SMTP checks and outbound routing. */
    private DnsSettings dnsSettings() {
        return new DnsSettings(
            config.dns().servers().stream().map(server -> DnsServers.parse(server).orElseThrow()).toList(),
            Duration.ofSeconds(config.dns().timeoutSeconds()));
    }

    /** The outbound section as the delivery code takes it (validated at load, so parsing here cannot fail). */
    private OutboundSettings outboundSettings() {
        OutboundConfig section = config.outbound();
        Optional<Duration> warnAfter = "off".equalsIgnoreCase(section.delayWarningAfter()) ? Optional.empty()
            : Optional.of(TimeSpan.parse(section.delayWarningAfter()).duration());
        Optional<Smarthost> smarthost = Optional.ofNullable(section.smarthost()).map(relay -> new Smarthost(
            relay.host(), relay.port(), Smarthost.Security.valueOf(relay.security().toUpperCase(java.util.Locale.ROOT)),
            Optional.ofNullable(relay.username()), Optional.ofNullable(relay.password())));
        return new OutboundSettings(
            section.heloName() != null ? section.heloName() : config.server().hostname(),
            section.remotePort(), section.connectTimeout().duration(), section.readTimeout().duration(),
            new RetrySchedule(section.retrySchedule().stream().map(TimeSpan::duration).toList()),
            section.maxLifetime().duration(), warnAfter, smarthost, section.concurrency(),
            section.connectionsPerDestination(), section.maxConnections(), section.messagesPerConnection(),
            section.historyRetention().duration());
    }

    private static void removeSpoolLeftovers(Path spool) {
        try {
            SpooledEnvelope.removeLeftovers(spool);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot clean the SMTP spool " + spool + ": " + e.getMessage(), e);
        }
    }

    private InetAddress bindAddress() {
        try {
            return InetAddress.getByName(config.server().bindAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("server.bind-address " + config.server().bindAddress()
                + " is not an address: " + e.getMessage(), e);
        }
    }

    private static void reloadTls(TlsMaterial tls) {
        try {
            tls.reloadIfChanged();
        } catch (RuntimeException e) {
            // The last good certificate keeps serving; the message names the file, line and key.
            LOG.error("TLS certificate not reloaded: {}", e.getMessage());
        }
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The IMAP listeners' limits: the largest literal is the store's largest message ({@code limits.max-message-size}),
     * so that CAPABILITY's {@code APPENDLIMIT} (RFC 7889) names the size the store accepts and a larger APPEND is
     * refused by its announced size ({@code NO [TOOBIG]}) before the client uploads it. With ImapLimits' own 50 MiB,
     * clients were told 50 MiB and a 26 MB APPEND was uploaded whole, then refused by the store as
     * {@code NO APPEND processing failed.}
     */
    static ImapLimits imapLimits(MailroomConfig config) {
        return ImapLimits.defaults()
            .withMaxLiteralSize((int) Math.min(Integer.MAX_VALUE, config.limits().maxMessageSize().bytes()));
    }

    /** The store's settings from the configuration, the same for the server and for admin commands. */
    static MailboxStore.Settings storeSettings(MailroomConfig config) {
        return MailboxStore.Settings.defaults().withMaxMessageSize(config.limits().maxMessageSize().bytes());
    }

    /** The DKIM keys of the hosted domains: {@code <data-dir>/dkim/DOMAIN.SELECTOR.pem}. */
    static DkimKeyDirectory dkimKeys(MailroomConfig config) {
        return new DkimKeyDirectory(config.storage().dataDirectory().resolve("dkim"));
    }

    /** JVM memory, GC, threads, class loading, CPU, uptime and file descriptors; the GC listener must be closed. */
    private static AutoCloseable bindJvmMetrics(MeterRegistry meters) {
        new ClassLoaderMetrics().bindTo(meters);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        new FileDescriptorMetrics().bindTo(meters);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(meters);
        return gc;
    }

    /**
     * The rule files and a sorter assembled exactly as {@link #launch()} does, for {@code admin rules} and
     * {@code admin explain} when the server is not running; the store is opened only when a message is sorted or
     * read.
     */
    public SortingTools openSortingTools() {
        RuleFiles rules = new RuleFiles(rulesFile(), userRulesDirectory());
        AttachmentInspector attachments = new AttachmentInspector(AttachmentInspector.Limits.defaults()
            .withTimeBudget(Duration.ofSeconds(30)));
        return new SortingTools() {
            // Opened on first use only: listing and editing rules must work while the server holds the store.
            private Database database;
            private Sorter sorter;
            private MailboxStore store;

            @Override
            public RuleFiles rules() {
                return rules;
            }

            @Override
            public Decision sort(String user, byte[] message, SessionFacts facts, Instant receivedAt) {
                if (sorter == null) {
                    sorter = storedModelSorter(database(), rules, attachments);
                }
                return sortAsDelivered(sorter, user, message, facts, receivedAt);
            }

            @Override
            public StoredMessage storedMessage(String user, String folder, long uid) {
                if (store == null) {
                    UserRepository users = new UserRepository(database(), new DomainRepository(database()),
                        PasswordHasher.defaults());
                    MailroomAuthenticator authenticator = new MailroomAuthenticator(users);
                    store = new MailboxStore(database(), authenticator, authenticator,
                        new MicrometerMetricFactory(new SimpleMeterRegistry()), Clock.systemUTC(),
                        MailboxStore.Settings.defaults(), Set.of());
                }
                return readStoredMessage(store.mailboxManager(), user, folder, uid);
            }

            private Database database() {
                if (database == null) {
                    database = Database.open(config.storage().databaseSettings());
                }
                return database;
            }

            @Override
            public void close() {
                attachments.close();
                if (database != null) {
                    database.close();
                }
            }
        };
    }

    /**
     * {@code admin rules} and {@code admin explain} inside the running server: its own rule files, sorter and
     * mailboxes (the embedded store cannot be opened a second time while the server holds it); closing them
     * closes nothing.
     */
    static SortingTools runningSortingTools(RuleFiles rules, Sorter sorter, MailboxStore mailboxes) {
        return new SortingTools() {
            @Override
            public RuleFiles rules() {
                return rules;
            }

            @Override
            public Decision sort(String user, byte[] message, SessionFacts facts, Instant receivedAt) {
                return sortAsDelivered(sorter, user, message, facts, receivedAt);
            }

            @Override
            public StoredMessage storedMessage(String user, String folder, long uid) {
                return readStoredMessage(mailboxes.mailboxManager(), user, folder, uid);
            }

            @Override
            public void close() {
            }
        };
    }

    private static Decision sortAsDelivered(Sorter sorter, String user, byte[] message, SessionFacts facts,
                                            Instant receivedAt) {
        return sorter.sort(new IncomingMail(user, Optional.empty(), facts, new MailParser().parse(message),
            receivedAt));
    }

    private static SortingTools.StoredMessage readStoredMessage(MailboxManager manager, String user, String folder,
                                                                long uid) {
        try {
            MailboxSession session = manager.createSystemSession(Username.of(user));
            try {
                MessageManager mailbox;
                try {
                    mailbox = manager.getMailbox(MailboxPath.forUser(Username.of(user), folder), session);
                } catch (MailboxNotFoundException e) {
                    throw new IllegalArgumentException("no folder " + folder + " for " + user);
                }
                MessageResultIterator results = mailbox.getMessages(MessageRange.one(MessageUid.of(uid)),
                    FetchGroup.FULL_CONTENT, session);
                if (!results.hasNext()) {
                    throw new IllegalArgumentException("no message with UID " + uid + " in " + folder + " of " + user);
                }
                MessageResult result = results.next();
                try (InputStream in = result.getFullContent().getInputStream()) {
                    return new SortingTools.StoredMessage(in.readAllBytes(), result.getInternalDate().toInstant());
                }
            } finally {
                manager.endProcessingRequest(session);
            }
        } catch (MailboxException | IOException e) {
            throw new IllegalStateException("cannot read the stored message: " + e.getMessage(), e);
        }
    }

    /**
     * Opens the outbound queue for one administration command: the store, the queue and its schedule (not
     * started: nothing is delivered from the command line; a retry scheduled here runs when the server does), and
     * local mailboxes for the reports that "bounce" sends to local senders.
     */
    public QueueDirectory openQueue() {
        Database database = Database.open(config.storage().databaseSettings());
        try {
            DomainRepository domains = new DomainRepository(database);
            UserRepository users = new UserRepository(database, domains, PasswordHasher.defaults());
            AliasRepository aliases = new AliasRepository(database, domains, users);
            MailroomAuthenticator authenticator = new MailroomAuthenticator(users);
            MailboxStore mailboxes = new MailboxStore(database, authenticator, authenticator,
                new MicrometerMetricFactory(new SimpleMeterRegistry()), Clock.systemUTC(),
                MailboxStore.Settings.defaults().withMaxMessageSize(config.limits().maxMessageSize().bytes()), Set.of());
            LocalRecipients recipients = new LocalRecipients(domains, users, aliases, Optional.empty(),
                config.server().hostname());
            OutboundService outbound = OutboundService.open(database, outboundSettings(), DnsClient.of(dnsSettings()),
                new InboxDelivery(mailboxes.mailboxManager(), recipients, Clock.systemUTC()), OutboundSigner.none(),
                Clock.systemUTC());
            return new QueueDirectory(database, outbound, () -> {
                try {
                    outbound.close();
                } finally {
                    database.close();
                }
            });
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private String listener(int port) {
        if (port == 0) {
            return config.server().bindAddress() + ":(any free port)";
        }
        return config.server().bindAddress() + ":" + port;
    }
}
