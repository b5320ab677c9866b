package org.mailroom.smtp.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The bounds LocalDelivery puts on deliveries: so many at once, so many waiting, the rest turned away. */
class DeliveryGateTest {

    @Test
    void beyondTheRunningAndWaitingBoundsDeliveriesAreTurnedAwayAndALeavingOneLetsAWaiterIn() throws Exception {
        DeliveryGate gate = new DeliveryGate(2, 1);
        assertThat(gate.enter()).isTrue();
        assertThat(gate.enter()).isTrue();
        ExecutorService threads = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch asking = new CountDownLatch(1);
            Future<Boolean> waiter = threads.submit(() -> {
                asking.countDown();
                return gate.enter();
            });
            assertThat(asking.await(10, TimeUnit.SECONDS)).isTrue();
            // The third delivery waits its turn; a fourth finds the waiting room full and is refused at once.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (gate.waiting() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(gate.waiting()).isEqualTo(1);
            assertThat(gate.enter()).as("a fourth delivery with two running and one waiting").isFalse();
            assertThat(waiter).isNotDone();
            gate.leave();
            assertThat(waiter.get(10, TimeUnit.SECONDS)).as("the waiter got the turn that was left").isTrue();
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aClosedGateTurnsEveryoneAwayAfterTheRunningOnesFinish() throws Exception {
        DeliveryGate gate = new DeliveryGate(1, 4);
        assertThat(gate.enter()).isTrue();
        Thread leaver = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            gate.leave();
        });
        leaver.start();
        long started = System.nanoTime();
        gate.close(10);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("close waited for the running one")
            .isGreaterThanOrEqualTo(150);
        assertThat(gate.enter()).isFalse();
        leaver.join();
    }

    @Test
    void boundsMustBeSensible() {
        assertThatThrownBy(() -> new DeliveryGate(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeliveryGate(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
