package org.mailroom.storage.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;

/**
 * Quartz over the store's own database: attempts fire at their time, reschedule themselves, and survive a restart
 * of the scheduler and the database ({@link PostgresDeliverySchedulerTest}: the same on PostgreSQL).
 */
class DeliverySchedulerTest {
    @TempDir
    Path dataDir;

    /** Opens the database "again": the same Derby folder each time. */
    protected Database open() {
        return Database.open(DatabaseSettings.embedded(dataDir));
    }

    /** Closes what {@link #open} returned. */
    protected void close(Database database) {
        database.close();
    }

    @Test
    void firesAtTheScheduledTimeAndAgainWhenRescheduledFromInsideTheAttempt() {
        List<Instant> fired = new CopyOnWriteArrayList<>();
        Database database = open();
        try {
            DeliveryScheduler[] holder = new DeliveryScheduler[1];
            holder[0] = DeliveryScheduler.open(database, 2, id -> {
                fired.add(Instant.now());
                if (fired.size() < 3) {
                    holder[0].schedule(id, Instant.now().plusMillis(300));
                }
            });
            try (DeliveryScheduler scheduler = holder[0]) {
                scheduler.start();
                Instant start = Instant.now();
                scheduler.schedule(7, start.plusMillis(500));
                Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> fired.size() == 3);
                assertThat(fired.get(0)).isAfterOrEqualTo(start.plusMillis(450));
                assertThat(Duration.between(fired.get(0), fired.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(250));
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !scheduler.isScheduled(7));
            }
            assertThat(fired).hasSize(3);
        } finally {
            close(database);
        }
    }

    @Test
    void aRestartResumesWhatWasScheduledAndFiresMissedTimesAtOnce() throws Exception {
        AtomicInteger firstRun = new AtomicInteger();
        Database first = open();
        try (DeliveryScheduler scheduler = DeliveryScheduler.open(first, 1, id -> firstRun.incrementAndGet())) {
            scheduler.start();
            scheduler.schedule(1, Instant.now().plusSeconds(2));
            scheduler.schedule(2, Instant.now().plusSeconds(60));
        } finally {
            close(first);
        }
        assertThat(firstRun).hasValue(0);
        Thread.sleep(2500);
        List<Long> fired = new CopyOnWriteArrayList<>();
        Database second = open();
        try (DeliveryScheduler scheduler = DeliveryScheduler.open(second, 1, fired::add)) {
            assertThat(scheduler.isScheduled(1)).isTrue();
            assertThat(scheduler.isScheduled(2)).isTrue();
            scheduler.start();
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> fired.contains(1L));
            Thread.sleep(300);
            assertThat(fired).containsExactly(1L);
            scheduler.unschedule(2);
            assertThat(scheduler.isScheduled(2)).isFalse();
        } finally {
            close(second);
        }
    }
}
