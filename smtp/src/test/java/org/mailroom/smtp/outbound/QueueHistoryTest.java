package org.mailroom.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.smtp.policy.DnsClient;
import org.mailroom.smtp.policy.DnsSettings;
import org.mailroom.storage.queue.AttemptRecord;
import org.mailroom.storage.queue.QueuedMessage;
import org.mailroom.storage.queue.RecipientState;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.mailroom.testing.TestDnsServer;
import org.mailroom.testing.TestSmtpReceiver;

/**
 * Delivered and bounced messages stay in the queue as history (recipients' final states, every attempt) for the
 * configured retention, out of the pending list, and the scheduled purge deletes them once it has passed; a
 * restart keeps them. Real Derby, Quartz, DNS responder and SMTP receiver.
 */
class QueueHistoryTest {

    @TempDir
    Path dataDir;

    private static OutboundSettings settings(int port, Duration retention) {
        return new OutboundSettings("mx.example.test", port, Duration.ofSeconds(1), Duration.ofSeconds(2),
            new RetrySchedule(List.of(Duration.ofSeconds(1))), Duration.ofMinutes(5), Optional.empty(),
            Optional.empty(), 2).withHistoryRetention(retention);
    }

    @Test
    void completedMessagesAreKeptWithTheirHistoryThenPurged() throws Exception {
        try (TestDnsServer dns = TestDnsServer.start();
             TestSmtpReceiver receiver = TestSmtpReceiver.start(InetAddress.getByName("127.0.0.1"), 0, null)) {
            dns.addMx("remote.test", 10, "mx.remote.test").addA("mx.remote.test", "127.0.0.1");
            receiver.answer("erin@remote.test", "550 5.1.1 no such user");
            receiver.answer("gina@remote.test", "451 4.3.0 later", "250 2.1.5 OK");
            DnsClient client = DnsClient.of(DnsSettings.of(dns.address(), Duration.ofSeconds(1)));
            byte[] message = "Subject: kept\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
            long id;
            try (Database database = Database.open(DatabaseSettings.embedded(dataDir));
                 OutboundService service = OutboundService.open(database, settings(receiver.port(), Duration.ofDays(7)),
                     client, (a, r) -> true, OutboundSigner.none(), Clock.systemUTC())) {
                service.start();
                id = service.enqueue("alice@example.test",
                    List.of("dave@remote.test", "erin@remote.test", "gina@remote.test"), message);
                Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> service.find(id).map(QueuedMessage::isCompleted).orElse(false));
                assertThat(service.list(10)).isEmpty();
                assertThat(service.listWithHistory(10)).extracting(QueuedMessage::id).containsExactly(id);
                assertThat(service.purgeHistory()).isZero();
            }
            // After a restart with a retention of 2 s, the history is still there until the purge comes.
            try (Database database = Database.open(DatabaseSettings.embedded(dataDir));
                 OutboundService service = OutboundService.open(database, settings(receiver.port(), Duration.ofSeconds(2)),
                     client, (a, r) -> true, OutboundSigner.none(), Clock.systemUTC())) {
                QueuedMessage kept = service.find(id).orElseThrow();
                assertThat(kept.recipients()).extracting(r -> r.address() + " " + r.state() + " " + r.attempts())
                    .containsExactly("dave@remote.test DELIVERED 1", "erin@remote.test BOUNCED 1",
                        "gina@remote.test DELIVERED 2");
                assertThat(service.history(id)).extracting(AttemptRecord::address, AttemptRecord::outcome)
                    .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("dave@remote.test", RecipientState.DELIVERED),
                        org.assertj.core.groups.Tuple.tuple("erin@remote.test", RecipientState.BOUNCED),
                        org.assertj.core.groups.Tuple.tuple("gina@remote.test", RecipientState.DEFERRED),
                        org.assertj.core.groups.Tuple.tuple("gina@remote.test", RecipientState.DELIVERED));
                assertThat(service.queue().content(id)).hasValueSatisfying(b -> assertThat(b).isEmpty());
                assertThat(service.retryNow(id)).isFalse();
                assertThat(service.bounceNow(id)).isFalse();

                service.start();
                Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> service.find(id).isEmpty());
                assertThat(service.history(id)).isEmpty();
                assertThat(service.listWithHistory(10)).isEmpty();
            }
            assertThat(receiver.received()).hasSize(2);
        }
    }
}
