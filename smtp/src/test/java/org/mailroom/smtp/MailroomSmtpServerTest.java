package org.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.mailroom.tls.ServerTls;
import org.apache.james.protocols.netty.BasicChannelInboundHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.smtp.MailroomSmtpServer.Mode;
import org.mailroom.smtp.delivery.RecipientSorting;
import org.mailroom.smtp.delivery.LocalDelivery;
import org.mailroom.smtp.delivery.LocalRecipients;
import org.mailroom.smtp.delivery.Placement;
import org.mailroom.smtp.policy.AuthFailureThrottle;
import org.slf4j.LoggerFactory;

import io.netty.channel.epoll.Epoll;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** Starting and stopping listeners: port 0, the bound port, clean close, errors that name the listener. */
class MailroomSmtpServerTest {

    @TempDir
    static Path directory;

    static SmtpTestServers fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new SmtpTestServers(directory);
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    private static MailroomSmtpServer.Services services() {
        LocalRecipients recipients = new LocalRecipients(fixture.domains, fixture.users, fixture.aliases,
            Optional.empty(), "mx.example.test");
        LocalDelivery delivery = new LocalDelivery(fixture.store.mailboxManager(), recipients, RecipientSorting.inbox(),
            Clock.systemUTC(), 1, 1);
        return new MailroomSmtpServer.Services(fixture.users, fixture.aliases, recipients, delivery,
            AuthFailureThrottle.defaults(Clock.systemUTC()), fixture.metrics, fixture.spool);
    }

    @Test
    void closeReleasesThePortAndConnectionsAreRefusedAfterwards() throws Exception {
        MailroomSmtpServer server = MailroomSmtpServer.start(
            MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK, 0, Mode.INBOUND, "mx.example.test"), null, services());
        int port = server.port();
        assertThat(port).isPositive();
        try (RawSmtp smtp = RawSmtp.connect(port)) {
            assertThat(smtp.reply()).startsWith("220 mx.example.test");
            String ehlo = smtp.command("EHLO client.example.org");
            assertThat(ehlo).as("no certificate, no STARTTLS").doesNotContain("STARTTLS");
        }
        server.close();
        try (ServerSocket again = new ServerSocket(port, 1, SmtpTestServers.LOOPBACK)) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }

    /**
     * The listeners' I/O threads use Netty's native epoll loop where it exists (the native library ships in the
     * distribution for Linux x86_64): on this platform its absence is a packaging fault, not a reason to fall back
     * silently. Every other test of the module runs its sessions over whichever loop this picks.
     */
    @Test
    void onLinuxX8664TheListenersUseNettysNativeEpollTransport() throws Exception {
        boolean linuxX8664 = System.getProperty("os.name").toLowerCase().startsWith("linux")
            && System.getProperty("os.arch").matches("amd64|x86_64");
        if (linuxX8664) {
            assertThat(OffloadingNettyServer.nativeTransport())
                .as("epoll unavailable: %s", Epoll.unavailabilityCause()).isTrue();
        }
        MailroomSmtpServer server = MailroomSmtpServer.start(
            MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK, 0, Mode.INBOUND, "mx.example.test"), null, services());
        try (RawSmtp smtp = RawSmtp.connect(server.port())) {
            assertThat(smtp.reply()).startsWith("220 mx.example.test");
            assertThat(smtp.command("EHLO client.example.org")).contains("PIPELINING");
            assertThat(smtp.command("QUIT")).startsWith("221");
        } finally {
            server.close();
        }
    }

    /**
     * James's standard logging context resolves the client's host name (a reverse DNS lookup per connection) and
     * fills the MDC around every command; Mailroom's logs never print it, so sessions get none. James logs
     * "Connection established" inside that context: the event shows what the MDC held.
     */
    @Test
    void connectionsGetNoLoggingContextAndNoHostNameLookup() throws Exception {
        Logger jamesHandler = (Logger) LoggerFactory.getLogger(BasicChannelInboundHandler.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        jamesHandler.addAppender(events);
        MailroomSmtpServer server = MailroomSmtpServer.start(
            MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK, 0, Mode.INBOUND, "mx.example.test"), null, services());
        try (RawSmtp smtp = RawSmtp.connect(server.port())) {
            assertThat(smtp.reply()).startsWith("220 mx.example.test");
            assertThat(smtp.command("NOOP")).startsWith("250");
        } finally {
            server.close();
            jamesHandler.detachAppender(events);
        }
        assertThat(events.list).filteredOn(e -> e.getFormattedMessage().startsWith("Connection established"))
            .isNotEmpty()
            .allSatisfy(e -> assertThat(e.getMDCPropertyMap()).as("MDC of " + e.getFormattedMessage()).isEmpty());
    }

    /**
     * One I/O thread for the whole listener and a commit that hangs: on James's own server the hook runs on that
     * I/O thread, so a second session would not even get its greeting until the first commit ends. Here the second
     * session is served start to finish, 250 included, while the first one still waits for its commit.
     */
    @Test
    void aCommitInProgressDoesNotStallOtherSessionsOfTheListener() throws Exception {
        CountDownLatch slowCommitStarted = new CountDownLatch(1);
        CountDownLatch releaseSlowCommit = new CountDownLatch(1);
        RecipientSorting slowForOneMessage = slowForSubject("slow", slowCommitStarted, releaseSlowCommit);
        fixture.emptyInboxes();
        MailroomSmtpServer server = fixture.start(new MailroomSmtpServer.Settings(SmtpTestServers.LOOPBACK, 0,
            Mode.INBOUND, "mx.example.test", MailroomSmtpServer.Limits.defaults(), 1, 4), slowForOneMessage);
        ExecutorService reader = Executors.newFixedThreadPool(2);
        try (RawSmtp slow = RawSmtp.connect(server.port())) {
            sendUpToTheEndOfData(slow, "slow");
            assertThat(slowCommitStarted.await(30, TimeUnit.SECONDS)).isTrue();
            Future<String> slowReply = reader.submit(slow::reply);

            try (RawSmtp quick = RawSmtp.connect(server.port())) {
                Future<String> quickReply = reader.submit(() -> sendUpToTheEndOfData(quick, "quick") + quick.reply());
                assertThat(quickReply.get(30, TimeUnit.SECONDS)).as("the second session, start to finish")
                    .endsWith("250 2.6.0 Message accepted for delivery");
            }
            assertThat(slowReply).as("the first commit still runs").isNotDone();
            releaseSlowCommit.countDown();
            assertThat(slowReply.get(30, TimeUnit.SECONDS)).startsWith("250 2.6.0");
        } finally {
            releaseSlowCommit.countDown();
            reader.shutdownNow();
            server.close();
        }
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).hasSize(2)
            .anySatisfy(m -> assertThat(m).contains("Subject: quick"))
            .anySatisfy(m -> assertThat(m).contains("Subject: slow"));
    }

    /**
     * A client that leaves while its message is being committed: the commit still ends, the message is stored once,
     * and nothing is logged as an error. (James's transport looked the core handler up in the channel's pipeline to
     * pop DATA's line handler; once the closed channel's pipeline is torn down that look-up finds nothing and throws
     * a NullPointerException, which James logs as an error: {@link WorkerChannelHandler} pushes and pops its line
     * handlers on itself.)
     */
    @Test
    void aClientLeavingDuringTheCommitGetsItsMessageStoredOnceAndLogsNoError() throws Exception {
        CountDownLatch slowCommitStarted = new CountDownLatch(1);
        CountDownLatch releaseSlowCommit = new CountDownLatch(1);
        RecipientSorting slowForOneMessage = slowForSubject("leaving", slowCommitStarted, releaseSlowCommit);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        root.addAppender(events);
        fixture.emptyInboxes();
        MailroomSmtpServer server = fixture.start(new MailroomSmtpServer.Settings(SmtpTestServers.LOOPBACK, 0,
            Mode.INBOUND, "mx.example.test", MailroomSmtpServer.Limits.defaults(), 1, 4), slowForOneMessage);
        try {
            try (RawSmtp leaving = RawSmtp.connect(server.port())) {
                sendUpToTheEndOfData(leaving, "leaving");
                assertThat(slowCommitStarted.await(30, TimeUnit.SECONDS)).isTrue();
            }
            // The channel's close (and its pipeline's tear-down) reaches the server while the commit waits.
            Thread.sleep(500);
            releaseSlowCommit.countDown();
            // Another session start to finish: the listener still serves, and its commit queues behind nothing.
            try (RawSmtp next = RawSmtp.connect(server.port())) {
                sendUpToTheEndOfData(next, "next");
                assertThat(next.reply()).startsWith("250 2.6.0");
            }
        } finally {
            releaseSlowCommit.countDown();
            // Detached before the close: what the listener's shutdown logs about connections it cuts is not this
            // test's subject (the commit of the client that left ended before "next" got its 250).
            root.detachAppender(events);
            server.close();   // waits for the workers to finish what they run
        }
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).hasSize(2)
            .filteredOn(m -> m.contains("Subject: leaving")).hasSize(1);
        assertThat(events.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
            .extracting(e -> e.getLoggerName() + ": " + e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getClassName()))
            .isEmpty();
    }

    /**
     * Delivery into INBOX where the commit of a message with that {@code subject} hangs: it signals {@code started}
     * and waits for {@code release}.
     */
    private static RecipientSorting slowForSubject(String subject, CountDownLatch started, CountDownLatch release) {
        return (message, size, mailFrom, facts, verdicts) -> {
            try (InputStream in = message.open()) {
                if (new String(in.readAllBytes(), StandardCharsets.US_ASCII).contains("Subject: " + subject)) {
                    started.countDown();
                    release.await(60, TimeUnit.SECONDS);
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return user -> Placement.inbox();
        };
    }

    /** Greeting to the end of DATA; returns the greeting, whose arrival shows the session is served. */
    private static String sendUpToTheEndOfData(RawSmtp smtp, String subject) throws IOException {
        String greeting = smtp.reply();
        assertThat(greeting).startsWith("220");
        assertThat(smtp.command("EHLO client.example.org")).startsWith("250");
        assertThat(smtp.command("MAIL FROM:<sender@example.org>")).startsWith("250");
        assertThat(smtp.command("RCPT TO:<" + SmtpTestServers.ALICE + ">")).startsWith("250");
        assertThat(smtp.command("DATA")).startsWith("354");
        smtp.send("Subject: " + subject + "\r\n\r\nbody\r\n.\r\n");
        return greeting + "\n";
    }

    @Test
    void aPortInUseFailsWithTheListenerNamed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, SmtpTestServers.LOOPBACK)) {
            assertThatThrownBy(() -> MailroomSmtpServer.start(MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK,
                taken.getLocalPort(), Mode.SUBMISSION_STARTTLS, "mx.example.test"),
                fixture.serverTls(ServerTls.preferredProvider()), services()))
                .isInstanceOf(SmtpStartupException.class)
                .hasMessageContaining("submission_starttls SMTP listener on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void submissionWithoutTlsIsAConfigurationError() {
        assertThatThrownBy(() -> MailroomSmtpServer.start(MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK, 0,
            Mode.SUBMISSION_IMPLICIT_TLS, "mx.example.test"), null, services()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TLS");
    }
}
