package org.mailroom.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.smtp.policy.DnsClient;
import org.mailroom.smtp.policy.DnsSettings;
import org.mailroom.storage.queue.QueuedMessage;
import org.mailroom.storage.queue.RecipientState;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.mailroom.testing.TestDnsServer;
import org.mailroom.testing.TestSmtpReceiver;

/**
 * Messages queued for the same host travel on shared SMTP connections, counted where they arrive (a real receiver
 * on loopback, found through a real DNS responder, from a real Derby queue with its Quartz schedule): every
 * message arrives once, per-recipient replies still decide each recipient alone, and the limits on connections
 * per destination and on messages per connection hold.
 */
class ConnectionReuseTest {

    // One store for the class (creating a Derby database is the slow part); a fresh receiver per test.
    private static TestDnsServer dns;
    private static Database database;
    private TestSmtpReceiver receiver;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void store(@TempDir Path dataDir) throws Exception {
        dns = TestDnsServer.start();
        dns.addMx("remote.test", 10, "mx.remote.test").addA("mx.remote.test", "127.0.0.1");
        database = Database.open(DatabaseSettings.embedded(dataDir));
    }

    @AfterAll
    static void closeStore() {
        database.close();
        dns.close();
    }

    @BeforeEach
    void start() throws Exception {
        receiver = TestSmtpReceiver.start(InetAddress.getByName("127.0.0.1"), 0, null);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        receiver.close();
    }

    private OutboundService service(int perDestination, int messagesPerConnection) {
        OutboundService service = OutboundService.open(database, settings(perDestination, messagesPerConnection),
            DnsClient.of(DnsSettings.of(dns.address(), Duration.ofSeconds(1))), (a, r) -> false,
            OutboundSigner.none(), Clock.systemUTC());
        open.add(0, service);
        return service;
    }

    private OutboundSettings settings(int perDestination, int messagesPerConnection) {
        return new OutboundSettings("mx.example.test", receiver.port(), Duration.ofSeconds(1),
            Duration.ofSeconds(2), new RetrySchedule(List.of(Duration.ofSeconds(1))), Duration.ofMinutes(5),
            Optional.empty(), Optional.empty(), 8).withConnections(perDestination, 20, messagesPerConnection);
    }

    private static byte[] message(String subject) {
        return ("From: alice@example.test\r\nSubject: " + subject + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Queues the messages before the schedule starts, so they are all due together. */
    private static List<Long> queueThenStart(OutboundService service, int count, List<String> recipients) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(service.enqueue("alice@example.test", recipients, message("m" + i)));
        }
        service.start();
        return ids;
    }

    private static boolean allFinal(OutboundService service, List<Long> ids) {
        return ids.stream().allMatch(id -> service.find(id).map(m -> m.pending().isEmpty()).orElse(true));
    }

    @Test
    void tenMessagesToOneHostShareOneConnection() {
        OutboundService service = service(1, 100);
        List<Long> ids = queueThenStart(service, 10, List.of("dave@remote.test"));

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received().size() == 10);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> allFinal(service, ids));

        assertThat(receiver.connections()).isEqualTo(1);
        assertThat(receiver.received()).extracting(r -> r.data().lines().filter(l -> l.startsWith("Subject: "))
            .findFirst().orElseThrow()).containsExactlyInAnyOrder("Subject: m0", "Subject: m1", "Subject: m2",
            "Subject: m3", "Subject: m4", "Subject: m5", "Subject: m6", "Subject: m7", "Subject: m8", "Subject: m9");
        assertThat(receiver.commands().stream().filter(c -> c.startsWith("EHLO")).count()).isEqualTo(1);
        assertThat(receiver.commands().stream().filter(c -> c.startsWith("MAIL FROM:")).count()).isEqualTo(10);
    }

    @Test
    void aConnectionCarriesAtMostTheConfiguredNumberOfMessages() {
        OutboundService service = service(1, 4);
        List<Long> ids = queueThenStart(service, 10, List.of("dave@remote.test"));

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received().size() == 10);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> allFinal(service, ids));

        // 4 + 4 + 2 transactions.
        assertThat(receiver.connections()).isEqualTo(3);
    }

    @Test
    void aRefusedRecipientOnASharedConnectionAffectsThatRecipientOnly() {
        receiver.answer("erin@remote.test", "550 5.1.1 no such user");
        receiver.answer("gina@remote.test", "451 4.3.0 try later", "250 2.1.5 OK");
        OutboundService service = service(1, 100);
        List<Long> ids = queueThenStart(service, 6, List.of("dave@remote.test", "erin@remote.test", "gina@remote.test"));

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> allFinal(service, ids));

        for (long id : ids) {
            QueuedMessage m = service.find(id).orElseThrow();
            assertThat(m.recipients()).extracting(r -> r.address() + " " + r.state()).containsExactly(
                "dave@remote.test DELIVERED", "erin@remote.test BOUNCED", "gina@remote.test DELIVERED");
        }
        // One transaction per message for Dave and Gina together, plus Gina's retry of the deferred one.
        assertThat(receiver.received()).hasSize(7);
        // Gina's script gives 451 once, then 250: one deferral, on the first message that reached her.
        long ginaDeferrals = ids.stream().mapToLong(id -> service.history(id).stream()
            .filter(a -> a.address().equals("gina@remote.test") && a.outcome() == RecipientState.DEFERRED).count()).sum();
        assertThat(ginaDeferrals).isEqualTo(1);
        // The first round of six went over one connection; the retry came later, on at most one more.
        assertThat(receiver.connections()).isBetween(1, 2);
    }

    @Test
    void concurrentConnectionsToOneHostStayWithinTheLimit() {
        OutboundService service = service(2, 100);
        List<Long> ids = queueThenStart(service, 16, List.of("dave@remote.test"));

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received().size() == 16);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> allFinal(service, ids));

        assertThat(receiver.connections()).isBetween(1, 2);
    }

    @Test
    void aDestinationIsForgottenOnceItsIdleConnectionExpires() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ConnectionReuse reuse = new ConnectionReuse(new SmtpTransfer(settings(1, 100)), 1, 20, 100)) {
            for (String host : List.of("mx.a.test", "mx.b.test")) {
                SmtpTransfer.Result result = reuse.send(SmtpTransfer.Destination.mx(host, loopback, receiver.port()),
                    "alice@example.test", List.of("dave@remote.test"), OutgoingMessage.unsigned(message(host)));
                assertThat(result.settled()).containsKey("dave@remote.test");
            }
            // Each destination keeps its idle connection for the next message...
            assertThat(reuse.destinationsTracked()).isEqualTo(2);
            // ...until the connection has been idle for the limit; then neither is remembered.
            Awaitility.await().atMost(Duration.ofSeconds(8)).until(() -> reuse.destinationsTracked() == 0);
            assertThat(receiver.connections()).isEqualTo(2);

            // A destination seen again starts afresh.
            reuse.send(SmtpTransfer.Destination.mx("mx.a.test", loopback, receiver.port()), "alice@example.test",
                List.of("dave@remote.test"), OutgoingMessage.unsigned(message("again")));
            assertThat(receiver.received()).hasSize(3);
            assertThat(receiver.connections()).isEqualTo(3);
        }
    }
}
