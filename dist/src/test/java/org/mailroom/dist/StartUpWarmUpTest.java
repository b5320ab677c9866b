package org.mailroom.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.dist.config.ConfigLoader;
import org.mailroom.dist.config.MailroomConfig;
import org.mailroom.dist.config.WarmUpConfig;
import org.mailroom.dist.warmup.ClientWork;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.PasswordHasher;
import org.mailroom.storage.user.UserRepository;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * The start-up warm-up over real sockets, TLS and Derby files: it runs its synthetic mail through a throwaway
 * server, logs one line, and leaves no directory, user, domain or listening port behind; the real server starts
 * after it, also when it fails.
 */
class StartUpWarmUpTest {
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @TempDir
    Path directory;

    private Level levelBefore;

    @BeforeEach
    void captureLogs() {
        // At INFO, as `start` runs it: an administration command run earlier in this JVM (CliRun) leaves the root
        // at WARN.
        levelBefore = root.getLevel();
        root.setLevel(Level.INFO);
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void stopCapturing() {
        root.detachAppender(logs);
        root.setLevel(levelBefore);
    }

    @Test
    void warmsUpThroughAThrowawayServerAndLeavesNothingBehind() throws IOException {
        MailroomConfig config = config("""
            server:
              warm-up:
                messages: 40
                time-limit: 5m
            """);
        Path temporary = Files.createDirectories(directory.resolve("tmp"));
        String derbyLogBefore = System.getProperty("derby.stream.error.file");

        Optional<ClientWork.Done> done = StartUpWarmUp.run(config.server().warmUp(), config, Optional.of(temporary));

        assertThat(done).isPresent();
        // Two rounds of SMTP deliveries, each read, changed and appended to over IMAP by a desktop client, then
        // resynced and downloaded whole (each message as long as its reported size, else a WARN) by a second one;
        // then four busy sessions' everyday commands (EverydaySessions: a failed one would fail the warm-up, a WARN);
        // last a folder of thousands gathered by one more session and resynced, searched and downloaded by another.
        assertThat(done.get().messages()).isGreaterThanOrEqualTo(40);
        assertThat(done.get().rounds()).isGreaterThanOrEqualTo(2);
        assertThat(done.get().imapSessions()).isEqualTo(2 * done.get().rounds() + 2);
        // Two lines at INFO, when it starts and when it is done; warnings of libraries about a new database
        // (Flyway's, which the shipped logback.xml holds back) may pass, none of Mailroom's own.
        assertThat(logs.list).filteredOn(event -> !event.getLevel().isGreaterOrEqual(Level.WARN))
            .extracting(ILoggingEvent::getFormattedMessage)
            .satisfiesExactly(
                start -> assertThat(start).startsWith("warming up ").endsWith("(server.warm-up.enabled: false skips it)"),
                end -> assertThat(end).matches("warmed up in [0-9.]+ s: [0-9]+ messages, [0-9]+ IMAP sessions, "
                    + "[1-9][0-9]* everyday IMAP commands in [0-9.]+ s"));
        assertThat(logs.list).filteredOn(event -> event.getLoggerName().startsWith("org.mailroom")).hasSize(2);
        try (Stream<Path> left = Files.list(temporary)) {
            assertThat(left).isEmpty();
        }
        ClientWork.Ports ports = done.get().ports();
        for (int port : List.of(ports.mx(), ports.imapStartTls(), ports.imapImplicitTls())) {
            try (ServerSocket free = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(free.getLocalPort()).isEqualTo(port);
            }
        }
        assertThat(System.getProperty("derby.stream.error.file")).isEqualTo(derbyLogBefore);

        assertRealServerStartsEmpty(config);
    }

    @Test
    void aFailingWarmUpIsLoggedAndTheServerStillStarts() throws IOException {
        // Every synthetic message is larger than this, so the throwaway refuses the first one.
        MailroomConfig config = config("""
            limits:
              max-message-size: 200B
            """);
        Path temporary = Files.createDirectories(directory.resolve("tmp"));

        Optional<ClientWork.Done> done = StartUpWarmUp.run(config.server().warmUp(), config, Optional.of(temporary));

        assertThat(done).isEmpty();
        assertThat(logs.list).filteredOn(event -> event.getLoggerName().startsWith("org.mailroom")
                && event.getLevel().isGreaterOrEqual(Level.WARN)).singleElement()
            .satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage()).startsWith("warm-up failed after ")
                    .contains("starting without it").contains("552");
            });
        assertThat(logs.list).filteredOn(event -> !event.getLevel().isGreaterOrEqual(Level.WARN))
            .extracting(ILoggingEvent::getFormattedMessage).singleElement().asString().startsWith("warming up ");
        try (Stream<Path> left = Files.list(temporary)) {
            assertThat(left).isEmpty();
        }
        assertRealServerStartsEmpty(config);
    }

    @Test
    void theEnvironmentDecidesOverTheKey() {
        WarmUpConfig byDefault = new WarmUpConfig(null, null, null);
        WarmUpConfig enabled = new WarmUpConfig(true, null, null);
        WarmUpConfig disabled = new WarmUpConfig(false, null, null);
        assertThat(StartUpWarmUp.wanted(byDefault, Map.of())).isTrue();
        assertThat(StartUpWarmUp.wanted(enabled, Map.of())).isTrue();
        assertThat(StartUpWarmUp.wanted(disabled, Map.of())).isFalse();
        assertThat(StartUpWarmUp.wanted(disabled, Map.of("MAILROOM_WARM_UP", " ON "))).isTrue();
        assertThat(StartUpWarmUp.wanted(byDefault, Map.of("MAILROOM_WARM_UP", "off"))).isFalse();
        assertThat(StartUpWarmUp.wanted(disabled, Map.of("MAILROOM_WARM_UP", "5000"))).isFalse();
    }

    /** The real server starts after the warm-up, and its store holds nothing of it. */
    private void assertRealServerStartsEmpty(MailroomConfig config) {
        StringWriter out = new StringWriter();
        try (RunningMailroom running = new Mailroom(config, directory.resolve("mailroom.yaml"),
            new PrintWriter(out)).launch()) {
            assertThat(running.smtpPort()).isPositive();
            assertThat(running.imapPort()).isPositive();
        }
        assertThat(out.toString()).contains("(0 domains, 0 users)");
        try (Database database = Database.open(config.storage().databaseSettings())) {
            DomainRepository domains = new DomainRepository(database);
            assertThat(domains.list()).isEmpty();
            assertThat(new UserRepository(database, domains, PasswordHasher.defaults()).list()).isEmpty();
            for (String table : List.of("mr_mailbox", "mr_message", "mr_mailbox_message", "mr_subscription",
                "mr_spam_token", "mr_importance_weight", "mr_queue_message")) {
                assertThat(rows(database, table)).as(table).isZero();
            }
        }
        assertThat(config.storage().dataDirectory().resolve("rules")).doesNotExist();
    }

    private static long rows(Database database, String table) {
        try (Connection connection = database.dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet count = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
            count.next();
            return count.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private MailroomConfig config(String extra) throws IOException {
        Path file = directory.resolve("mailroom.yaml");
        Files.writeString(file, extra + """
            storage:
              data-dir: %s
            smtp:
              port: 0
            submission:
              port: 0
              tls-port: 0
            imap:
              port: 0
              tls-port: 0
            http:
              port: 0
            """.formatted(directory.resolve("data")));
        return new ConfigLoader().load(file);
    }
}
