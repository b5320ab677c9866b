package org.mailroom.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.mailroom.dist.config.DnsConfig;
import org.mailroom.dist.config.HttpConfig;
import org.mailroom.dist.config.ImapConfig;
import org.mailroom.dist.config.MailroomConfig;
import org.mailroom.dist.config.OutboundConfig;
import org.mailroom.dist.config.ServerConfig;
import org.mailroom.dist.config.SmtpConfig;
import org.mailroom.dist.config.StorageConfig;
import org.mailroom.dist.config.SubmissionConfig;
import org.mailroom.dist.config.TlsConfig;
import org.mailroom.dist.config.WarmUpConfig;
import org.mailroom.dist.warmup.ClientWork;
import org.mailroom.dist.warmup.EverydaySessions;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.PasswordHasher;
import org.mailroom.storage.user.UserRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up warm-up ({@code server.warm-up}): before the real server opens its listeners, a throwaway Mailroom
 * built by the same {@link Mailroom#launch()} (its own temporary data directory with a real Derby database, a
 * generated certificate and user, loopback ports chosen by the system, no DNS, no outbound mail) receives
 * synthetic mail over SMTP and serves it to an IMAP client ({@link ClientWork}); then it is stopped and its
 * directory deleted. The JIT's compiled code belongs to the JVM, so the real server starts with the hot paths
 * compiled. Derby's compiled statement plans belong to a database and do not carry over. A warm-up that fails is
 * logged and the real start goes on.
 */
final class StartUpWarmUp {
    /** {@code on} or {@code off} in the environment of {@code mailroom start} decides whatever the file says. */
    static final String ENVIRONMENT = "MAILROOM_WARM_UP";
    private static final Logger LOG = LoggerFactory.getLogger(StartUpWarmUp.class);
    private static final String DOMAIN = "warm-up.invalid";
    private static final String DERBY_LOG = "derby.stream.error.file";
    /**
     * The everyday commands' step after the rounds ({@link EverydaySessions}): enough commands that the per-command
     * paths cross C2's thresholds (thousands of calls each) before the ports open, at most this long on a busy
     * machine (bench/README.md, IMAP chapter, h-mix of the nineteenth session).
     */
    static final int EVERYDAY_COMMANDS = 16_000;
    static final Duration EVERYDAY_LIMIT = Duration.ofSeconds(30);
    /**
     * The throwaway's memory for header bytes kept between header searches (a real server's: 32 MB). Its large folder
     * ({@code LargeFolderWork}: 2,000 messages, at least 380 bytes of header and bookkeeping each) weighs more, so each
     * of that folder's six header searches reads its 2,000 headers through the database, as a real server's first
     * search of a large folder does, instead of only the first; the rounds' folders, a few hundred messages each, stay
     * kept as on a real server. Why: with the folder read once, Derby's per-row code of that read (the join, the index
     * scan, the row locks' release) ran about 2,000 times, short of C2's thresholds, and a real server's first header
     * search of a large mailbox compiled it at C2 while it ran, the last of those compiles running across the body
     * FETCHes after it (bench/README.md, IMAP chapter, h-first of the twenty-first session).
     */
    static final long HEADER_CACHE_BYTES = 512L << 10;

    private StartUpWarmUp() {
    }

    /** Whether {@code start} warms up: the environment's {@code on} or {@code off}, else the key. */
    static boolean wanted(WarmUpConfig config, Map<String, String> environment) {
        String override = environment.getOrDefault(ENVIRONMENT, "").trim();
        if ("on".equalsIgnoreCase(override) || "off".equalsIgnoreCase(override)) {
            return "on".equalsIgnoreCase(override);
        }
        return config.enabled();
    }

    /**
     * Runs the warm-up within {@code config}'s budget, for a server configured with {@code server}'s limits; never
     * throws (a failure is logged) and leaves nothing behind.
     */
    static void run(WarmUpConfig config, MailroomConfig server) {
        run(config, server, Optional.empty());
    }

    /** {@link #run(WarmUpConfig, MailroomConfig)} with its temporary directory made in {@code parent}; what it did. */
    static Optional<ClientWork.Done> run(WarmUpConfig config, MailroomConfig server, Optional<Path> parent) {
        long started = System.nanoTime();
        Path temporaryRoot = parent.orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir")));
        LOG.info("warming up before the listeners open: up to {} messages or {} through a throwaway instance"
            + " (server.warm-up.enabled: false skips it)", config.messages(),
            config.timeLimit().duration().toSeconds() + " s");
        WarmUpFolder directory = null;
        boolean ownDerbyLog = System.getProperty(DERBY_LOG) == null;
        try {
            WarmUpFolder.deleteAbandoned(temporaryRoot);
            directory = WarmUpFolder.create(temporaryRoot);
            Path data = directory.path();
            if (ownDerbyLog) {
                separateDerbyLog(data);
            }
            // The throwaway logs its synthetic mail like real mail; only its warnings are of interest.
            Warmed warmed = Logging.quietWhile(() -> warmUp(config, server, data));
            ClientWork.Done done = warmed.rounds();
            LOG.info("warmed up in {} s: {} messages, {} IMAP sessions, {} everyday IMAP commands in {} s",
                seconds(started), done.messages(), done.imapSessions(), warmed.everyday().commands(),
                String.format(Locale.ROOT, "%.1f", warmed.everyday().seconds()));
            return Optional.of(done);
        } catch (Exception | LinkageError e) {
            LOG.warn("warm-up failed after {} s, starting without it: {}", seconds(started), e.toString());
            return Optional.empty();
        } finally {
            if (ownDerbyLog) {
                restartDerbyEngine();
            }
            // After the engine's restart: until then Derby holds derby.log open in it.
            if (directory != null) {
                directory.close();
            }
            giveMemoryBack();
        }
    }

    /**
     * The throwaway's Derby page cache, its mailboxes' objects and its Netty buffers are garbage now. A full
     * collection frees them before the real server allocates, and G1 (the JDK 17 default) uncommits the heap it
     * no longer needs after a full GC (down to MaxHeapFreeRatio), so the real server does not start a few hundred
     * megabytes larger than it would without the warm-up (bench/README.md, SMTP chapter, h-warmup's RSS).
     */
    private static void giveMemoryBack() {
        System.gc();
    }

    /** What the warm-up's two steps did: the rounds of mail and clients, then the busy sessions' commands. */
    private record Warmed(ClientWork.Done rounds, EverydaySessions.Done everyday) {
    }

    private static Warmed warmUp(WarmUpConfig config, MailroomConfig server, Path data) throws Exception {
        MailroomConfig throwaway = throwawayConfig(server, data);
        ClientWork.Account account = new ClientWork.Account("warm-up@" + DOMAIN,
            HexFormat.of().formatHex(new SecureRandom().generateSeed(16)));
        try (Database database = Database.open(DatabaseSettings.embedded(data))) {
            DomainRepository domains = new DomainRepository(database);
            domains.add(DOMAIN);
            new UserRepository(database, domains, PasswordHasher.defaults())
                .add(account.address(), account.password().toCharArray());
        }
        Files.writeString(data.resolve("rules"), ClientWork.RULES);
        try (RunningMailroom running = new Mailroom(throwaway, data.resolve("mailroom.yaml"),
            new PrintWriter(Writer.nullWriter()), HEADER_CACHE_BYTES).launch()) {
            ClientWork.Ports ports = new ClientWork.Ports(running.smtpPort(), running.imapPort(), running.imapTlsPort());
            SSLContext tls = trusting(data.resolve("tls").resolve("certificate.pem"));
            // The budget is for the work: the throwaway's own start is a fixed cost, about a real start's.
            ClientWork work = new ClientWork(ports, account, tls);
            work.run(config.messages(), System.nanoTime() + config.timeLimit().duration().toNanos());
            EverydaySessions.Done everyday = new EverydaySessions(ports, account, tls)
                .run(EVERYDAY_COMMANDS, System.nanoTime() + EVERYDAY_LIMIT.toNanos());
            return new Warmed(work.largeFolder(), everyday);
        }
    }

    /**
     * The real configuration's limits and worker counts, with everything that reaches outside replaced: the
     * temporary directory, loopback ports chosen by the system, a self-signed certificate, no SPF or block lists
     * (so no DNS), no smarthost (and nothing is sent to remote recipients anyway).
     */
    private static MailroomConfig throwawayConfig(MailroomConfig server, Path data) {
        SmtpConfig smtp = server.smtp();
        return new MailroomConfig(
            new ServerConfig("localhost", "127.0.0.1", new WarmUpConfig(false, null, null)),
            new StorageConfig(data.toString(), null, null, null, server.storage().poolSize()),
            new SmtpConfig(0, false, null, smtp.maxRecipients(), smtp.maxConnectionsPerIp(), smtp.maxBadCommands(),
                smtp.idleTimeout(), smtp.workers()),
            new SubmissionConfig(0, 0), new ImapConfig(0, 0), new HttpConfig(0), server.limits(),
            TlsConfig.of(null, null), new DnsConfig(null, null),
            new OutboundConfig(null, null, null, null, null, null, null, null, null, null, null, null, null));
    }

    /** A client TLS context that trusts only the throwaway's own certificate. */
    private static SSLContext trusting(Path certificate) throws IOException, GeneralSecurityException {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            trusted.setCertificateEntry("warm-up", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /**
     * Why the warm-up touches Derby's engine at all: Derby reads {@code derby.stream.error.file} once, when its
     * engine boots, and the store sets it to {@code <data-dir>/derby.log} only when nobody has. Left alone, the
     * engine booted by the throwaway would keep writing the real database's diagnostics into the deleted temporary
     * folder. So when the property was unset, it points into the throwaway's folder for the warm-up, and afterwards
     * the engine is stopped, the property cleared and the driver registered again: the real store then boots the
     * engine anew and opens its database exactly as a start without warm-up does (its own derby.log, the same
     * derby.* properties). When the operator set the property (JVM options), it applies to both and nothing is
     * restarted. The throwaway's own database is already shut down by its store's close.
     */
    private static void separateDerbyLog(Path data) {
        System.setProperty(DERBY_LOG, data.resolve("derby.log").toString());
    }

    private static void restartDerbyEngine() {
        try {
            DriverManager.getConnection("jdbc:derby:;shutdown=true").close();
        } catch (SQLException e) {
            // XJ015 is Derby's report of a clean engine shutdown; anything else is worth a line.
            if (!"XJ015".equals(e.getSQLState())) {
                LOG.warn("warm-up: stopping its Derby engine reported {}", e.getMessage());
            }
        }
        System.clearProperty(DERBY_LOG);
        try {
            // A stopped engine deregisters its driver; a new EmbeddedDriver registers it again (Derby's documented
            // way to restart the engine). By name: the class is in derbytools, a runtime dependency only.
            Class.forName("org.apache.derby.jdbc.EmbeddedDriver").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            // Not thrown: the warm-up never stops a start; the real store's own connection reports it, if Derby.
            LOG.warn("warm-up: cannot register Derby's driver again: {}", e.toString());
        }
    }

    private static String seconds(long startedNanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - startedNanos) / 1e9);
    }
}
