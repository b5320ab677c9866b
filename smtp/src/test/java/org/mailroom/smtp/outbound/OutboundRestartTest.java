package org.mailroom.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.smtp.policy.DnsClient;
import org.mailroom.smtp.policy.DnsSettings;
import org.mailroom.storage.queue.QueuedMessage;
import org.mailroom.storage.queue.QueuedRecipient;
import org.mailroom.storage.queue.RecipientState;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.mailroom.testing.TestDnsServer;
import org.mailroom.testing.TestSmtpReceiver;

/**
 * The queue and its Quartz schedule survive a restart: the scheduler and the Derby database are closed after the
 * first (deferred) attempt and opened again over the same folder; the next attempt then runs at its time and
 * delivers each message once, none lost, none twice. Admin operations (retry now, bounce now, delete) act on the
 * same stored state.
 */
class OutboundRestartTest {

    @TempDir
    Path dataDir;

    private static OutboundSettings settings(int port, Duration retry) {
        return new OutboundSettings("mx.example.test", port, Duration.ofSeconds(1), Duration.ofSeconds(2),
            new RetrySchedule(List.of(retry)), Duration.ofMinutes(10), Optional.empty(), Optional.empty(), 2);
    }

    private static byte[] message(String subject) {
        return ("From: alice@example.test\r\nSubject: " + subject + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aRestartMidScheduleResumesDeliveryWithNothingLostAndNothingDuplicated() throws Exception {
        try (TestDnsServer dns = TestDnsServer.start();
             TestSmtpReceiver receiver = TestSmtpReceiver.start(InetAddress.getByName("127.0.0.1"), 0, null)) {
            dns.addMx("remote.test", 10, "mx.remote.test").addA("mx.remote.test", "127.0.0.1");
            DnsClient client = DnsClient.of(DnsSettings.of(dns.address(), Duration.ofSeconds(1)));
            for (int i = 0; i < 5; i++) {
                receiver.answer("r" + i + "@remote.test", "451 4.3.0 not now", "250 2.1.5 OK");
            }
            List<byte[]> reports = new CopyOnWriteArrayList<>();
            LocalInbox inbox = (address, report) -> reports.add(report);

            List<Long> ids = new java.util.ArrayList<>();
            try (Database database = Database.open(DatabaseSettings.embedded(dataDir));
                 OutboundService first = OutboundService.open(database, settings(receiver.port(), Duration.ofSeconds(4)),
                     client, inbox, OutboundSigner.none(), Clock.systemUTC())) {
                first.start();
                for (int i = 0; i < 5; i++) {
                    ids.add(first.enqueue("alice@example.test", List.of("r" + i + "@remote.test"), message("m" + i)));
                }
                Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> ids.stream().allMatch(id ->
                    first.find(id).map(m -> m.recipients().get(0).state() == RecipientState.DEFERRED).orElse(false)));
            }
            assertThat(receiver.received()).isEmpty();

            try (Database database = Database.open(DatabaseSettings.embedded(dataDir));
                 OutboundService second = OutboundService.open(database, settings(receiver.port(), Duration.ofSeconds(4)),
                     client, inbox, OutboundSigner.none(), Clock.systemUTC())) {
                QueuedMessage stored = second.find(ids.get(0)).orElseThrow();
                QueuedRecipient recipient = stored.recipients().get(0);
                assertThat(recipient.attempts()).isEqualTo(1);
                assertThat(recipient.lastReply().orElseThrow().toString()).isEqualTo("451 4.3.0 not now");
                assertThat(second.history(ids.get(0))).hasSize(1);
                second.start();
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> receiver.received().size() >= 5);
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> second.list(100).isEmpty());
                Thread.sleep(2000);
            }
            assertThat(receiver.received()).hasSize(5);
            assertThat(receiver.received()).extracting(r -> r.recipients().get(0))
                .containsExactlyInAnyOrder("r0@remote.test", "r1@remote.test", "r2@remote.test", "r3@remote.test",
                    "r4@remote.test");
            assertThat(reports).isEmpty();
        }
    }

    @Test
    void anAttemptThatFailsUnexpectedlyIsTriedAgainNotForgotten() throws Exception {
        try (TestDnsServer dns = TestDnsServer.start();
             TestSmtpReceiver receiver = TestSmtpReceiver.start(InetAddress.getByName("127.0.0.1"), 0, null)) {
            dns.addMx("remote.test", 10, "mx.remote.test").addA("mx.remote.test", "127.0.0.1");
            java.util.concurrent.atomic.AtomicInteger signed = new java.util.concurrent.atomic.AtomicInteger();
            OutboundSigner failingOnce = message -> {
                if (signed.incrementAndGet() == 1) {
                    throw new IllegalStateException("signing key unreadable");
                }
                return message;
            };
            try (Database database = Database.open(DatabaseSettings.embedded(dataDir));
                 OutboundService service = OutboundService.open(database, settings(receiver.port(), Duration.ofSeconds(1)),
                     DnsClient.of(DnsSettings.of(dns.address(), Duration.ofSeconds(1))), (a, r) -> false, failingOnce,
                     Clock.systemUTC())) {
                service.start();
                long id = service.enqueue("alice@example.test", List.of("dave@remote.test"), message("again"));
                Awaitility.await().atMost(Duration.ofSeconds(15))
                    .until(() -> service.find(id).map(QueuedMessage::isCompleted).orElse(false));
            }
            assertThat(signed).hasValue(2);
            assertThat(receiver.received()).hasSize(1);
        }
    }

    @Test
    void adminRetryBounceAndDeleteActOnTheStoredQueue() throws Exception {
        try (TestDnsServer dns = TestDnsServer.start();
             TestSmtpReceiver receiver = TestSmtpReceiver.start(InetAddress.getByName("127.0.0.1"), 0, null)) {
            dns.addMx("remote.test", 10, "mx.remote.test").addA("mx.remote.test", "127.0.0.1");
            receiver.answer("slow@remote.test", "451 4.3.0 not now", "250 2.1.5 OK");
            receiver.answer("stuck@remote.test", "451 4.3.0 not now");
            List<String> reports = new CopyOnWriteArrayList<>();
            LocalInbox inbox = (address, report) -> reports.add(address + "\n" + new String(report, StandardCharsets.UTF_8));
            try (Database database = Database.open(DatabaseSettings.embedded(dataDir));
                 OutboundService service = OutboundService.open(database, settings(receiver.port(), Duration.ofHours(1)),
                     DnsClient.of(DnsSettings.of(dns.address(), Duration.ofSeconds(1))), inbox, OutboundSigner.none(),
                     Clock.systemUTC())) {
                service.start();
                long slow = service.enqueue("alice@example.test", List.of("slow@remote.test"), message("slow"));
                long stuck = service.enqueue("alice@example.test", List.of("stuck@remote.test"), message("stuck"));
                long gone = service.enqueue("alice@example.test", List.of("stuck@remote.test"), message("gone"));
                Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> List.of(slow, stuck, gone).stream()
                    .allMatch(id -> service.find(id).map(m -> m.recipients().get(0).attempts() == 1).orElse(false)));

                // Next attempt is an hour away; "retry now" makes it now.
                assertThat(service.retryNow(slow)).isTrue();
                Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> service.find(slow).map(QueuedMessage::isCompleted).orElse(false));
                assertThat(receiver.received()).extracting(r -> r.recipients().get(0)).containsExactly("slow@remote.test");

                assertThat(service.bounceNow(stuck)).isTrue();
                // Bounced: no longer pending, kept as history with the postmaster's reason.
                assertThat(service.list(10)).extracting(QueuedMessage::id).doesNotContain(stuck);
                assertThat(service.find(stuck).orElseThrow().recipients()).singleElement()
                    .satisfies(r -> assertThat(r.state()).isEqualTo(RecipientState.BOUNCED));
                assertThat(reports).singleElement().asString().startsWith("alice@example.test\n")
                    .contains("Action: failed", "Final-Recipient: rfc822; stuck@remote.test", "451 4.3.0 not now");

                assertThat(service.delete(gone)).isTrue();
                assertThat(service.find(gone)).isEmpty();
                assertThat(service.delete(gone)).isFalse();
                assertThat(service.retryNow(gone)).isFalse();
                assertThat(service.bounceNow(gone)).isFalse();
                assertThat(reports).hasSize(1);
            }
        }
    }
}
