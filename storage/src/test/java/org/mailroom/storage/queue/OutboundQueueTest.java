package org.mailroom.storage.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** The queue repository on the shared, emptied Derby database ({@link PostgresOutboundQueueTest}: PostgreSQL). */
class OutboundQueueTest {
    Database database;
    OutboundQueue queue;
    final Instant t0 = Instant.parse("2026-01-01T10:00:00Z");

    protected Database database() {
        return TestDatabases.derby();
    }

    @BeforeEach
    void open() {
        database = database();
        queue = new OutboundQueue(database);
    }

    @Test
    void storesBytesOnceWithOneQueuedRowPerRecipient() {
        byte[] content = "Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        long id = queue.enqueue("alice@local.test", List.of("bob@remote.test", "carol@other.test"), content, t0);

        QueuedMessage message = queue.find(id).orElseThrow();
        assertThat(message.sender()).isEqualTo("alice@local.test");
        assertThat(message.size()).isEqualTo(content.length);
        assertThat(message.createdAt()).isEqualTo(t0);
        assertThat(message.recipients()).extracting(QueuedRecipient::address, QueuedRecipient::state, QueuedRecipient::attempts)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple("bob@remote.test", RecipientState.QUEUED, 0),
                org.assertj.core.groups.Tuple.tuple("carol@other.test", RecipientState.QUEUED, 0));
        assertThat(message.nextAttemptAt()).contains(t0);
        assertThat(queue.content(id)).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(content));
        assertThat(queue.pendingMessageIds()).containsExactly(id);
    }

    @Test
    void recordsOutcomesPerRecipientAndKeepsTheHistory() {
        long id = queue.enqueue("", List.of("a@r.test", "b@r.test"), new byte[] {1, 2, 3}, t0);
        Instant t1 = t0.plusSeconds(60);
        queue.record(id, List.of(
            new RecipientOutcome(0, RecipientState.DELIVERED, Optional.empty(), new DeliveryReply(250, "2.0.0", "ok"), Optional.of("mx.r.test")),
            new RecipientOutcome(1, RecipientState.DEFERRED, Optional.of(t1.plusSeconds(300)),
                new DeliveryReply(451, "4.3.0", "try later"), Optional.of("mx.r.test"))), t1);
        // A later attempt never touches the delivered one, even if told to.
        Instant t2 = t1.plusSeconds(300);
        queue.record(id, List.of(
            new RecipientOutcome(0, RecipientState.BOUNCED, Optional.empty(), new DeliveryReply(550, "5.1.1", "x"), Optional.empty()),
            new RecipientOutcome(1, RecipientState.BOUNCED, Optional.empty(), new DeliveryReply(550, "5.1.1", "no such user"), Optional.of("mx.r.test"))), t2);

        QueuedMessage message = queue.find(id).orElseThrow();
        assertThat(message.hasNullSender()).isTrue();
        assertThat(message.recipients().get(0).state()).isEqualTo(RecipientState.DELIVERED);
        assertThat(message.recipients().get(0).attempts()).isEqualTo(1);
        assertThat(message.recipients().get(1).state()).isEqualTo(RecipientState.BOUNCED);
        assertThat(message.recipients().get(1).attempts()).isEqualTo(2);
        assertThat(message.recipients().get(1).lastReply()).contains(new DeliveryReply(550, "5.1.1", "no such user"));
        assertThat(message.recipients().get(1).nextAttemptAt()).isEmpty();
        assertThat(message.pending()).isEmpty();
        assertThat(queue.pendingMessageIds()).isEmpty();
        assertThat(queue.history(id)).extracting(AttemptRecord::address, AttemptRecord::outcome)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple("a@r.test", RecipientState.DELIVERED),
                org.assertj.core.groups.Tuple.tuple("b@r.test", RecipientState.DEFERRED),
                org.assertj.core.groups.Tuple.tuple("b@r.test", RecipientState.BOUNCED));
    }

    @Test
    void rescheduleWarnOnceAndDelete() {
        long id = queue.enqueue("a@l.test", List.of("b@r.test"), new byte[] {1}, t0);
        assertThat(queue.reschedule(id, t0.plusSeconds(5))).isTrue();
        assertThat(queue.find(id).orElseThrow().nextAttemptAt()).contains(t0.plusSeconds(5));
        assertThat(queue.markDelayWarned(id)).isTrue();
        assertThat(queue.markDelayWarned(id)).isFalse();
        assertThat(queue.find(id).orElseThrow().delayWarned()).isTrue();
        assertThat(queue.list(100)).extracting(QueuedMessage::id).containsExactly(id);
        assertThat(queue.delete(id)).isTrue();
        assertThat(queue.delete(id)).isFalse();
        assertThat(queue.find(id)).isEmpty();
        assertThat(queue.reschedule(id, t0)).isFalse();
    }

    @Test
    void aCompletedMessageStaysAsHistoryWithoutItsBytesUntilPurged() {
        long done = queue.enqueue("a@l.test", List.of("b@r.test", "c@r.test"), new byte[] {1, 2}, t0);
        long pending = queue.enqueue("a@l.test", List.of("d@r.test"), new byte[] {3}, t0);
        Instant t1 = t0.plusSeconds(30);
        queue.record(done, List.of(
            new RecipientOutcome(0, RecipientState.DELIVERED, Optional.empty(), new DeliveryReply(250, "2.0.0", "ok"), Optional.of("mx")),
            new RecipientOutcome(1, RecipientState.BOUNCED, Optional.empty(), new DeliveryReply(550, "5.1.1", "no"), Optional.of("mx"))), t1);

        assertThat(queue.complete(done, t1)).isTrue();
        assertThat(queue.complete(done, t1.plusSeconds(1))).isFalse();

        QueuedMessage kept = queue.find(done).orElseThrow();
        assertThat(kept.completedAt()).contains(t1);
        assertThat(kept.isCompleted()).isTrue();
        assertThat(kept.recipients()).extracting(QueuedRecipient::state)
            .containsExactly(RecipientState.DELIVERED, RecipientState.BOUNCED);
        assertThat(queue.history(done)).hasSize(2);
        assertThat(queue.content(done)).hasValueSatisfying(bytes -> assertThat(bytes).isEmpty());
        assertThat(queue.list(100)).extracting(QueuedMessage::id).containsExactly(pending);
        assertThat(queue.list(100, true)).extracting(QueuedMessage::id).containsExactly(done, pending);
        assertThat(queue.find(pending).orElseThrow().completedAt()).isEmpty();

        // Purged only once completed before the cut-off; the pending one is never purged.
        assertThat(queue.purgeCompletedBefore(t1)).isZero();
        assertThat(queue.purgeCompletedBefore(t1.plusMillis(1))).isEqualTo(1);
        assertThat(queue.find(done)).isEmpty();
        assertThat(queue.history(done)).isEmpty();
        assertThat(queue.find(pending)).isPresent();
    }
}
