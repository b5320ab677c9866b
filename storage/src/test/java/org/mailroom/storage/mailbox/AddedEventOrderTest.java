package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The order in which "added" events of one mailbox may be dispatched ({@link AddedEventOrder}). */
class AddedEventOrderTest {
    private static final long MAILBOX = 7;

    @Test
    void aHigherUidWaitsUntilTheLowerOnesEventIsDispatched() throws Exception {
        AddedEventOrder order = new AddedEventOrder();
        order.allocated(MAILBOX, 1, 2);
        order.committed(MAILBOX, List.of(1L, 2L));

        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> await(order, 2));
        Thread.sleep(100);
        assertThat(second).isNotDone();

        order.released(MAILBOX, List.of(1L));
        second.get(10, TimeUnit.SECONDS);
        order.released(MAILBOX, List.of(2L));
        assertThat(order.pendingCount(MAILBOX)).isZero();
    }

    @Test
    void theLowestUidAndOtherMailboxesDoNotWait() throws Exception {
        AddedEventOrder order = new AddedEventOrder();
        order.allocated(MAILBOX, 5, 3);

        CompletableFuture.runAsync(() -> await(order, 5)).get(10, TimeUnit.SECONDS);
        CompletableFuture.runAsync(() -> {
            try {
                order.awaitTurn(MAILBOX + 1, 1);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRolledBackUidHoldsNothingBack() throws Exception {
        AddedEventOrder order = new AddedEventOrder();
        order.allocated(MAILBOX, 1, 1);
        CompletableFuture<Void> later = CompletableFuture.runAsync(() -> await(order, 2));
        Thread.sleep(100);
        assertThat(later).isNotDone();

        order.released(MAILBOX, List.of(1L));
        later.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aCommittedUidWhoseEventNeverComesStopsHoldingOthersBack() throws Exception {
        AddedEventOrder order = new AddedEventOrder(TimeUnit.MILLISECONDS.toNanos(200));
        order.allocated(MAILBOX, 1, 1);
        order.committed(MAILBOX, List.of(1L));
        long start = System.nanoTime();

        CompletableFuture.runAsync(() -> await(order, 2)).get(10, TimeUnit.SECONDS);

        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
        assertThat(order.pendingCount(MAILBOX)).isZero();
    }

    @Test
    void anUncommittedUidHoldsOthersBackPastTheStragglerDelay() throws Exception {
        AddedEventOrder order = new AddedEventOrder(TimeUnit.MILLISECONDS.toNanos(50));
        order.allocated(MAILBOX, 1, 1);
        CompletableFuture<Void> later = CompletableFuture.runAsync(() -> await(order, 2));
        Thread.sleep(300);
        assertThat(later).isNotDone();

        order.committed(MAILBOX, List.of(1L));
        order.released(MAILBOX, List.of(1L));
        later.get(10, TimeUnit.SECONDS);
    }

    private static void await(AddedEventOrder order, long uid) {
        try {
            order.awaitTurn(MAILBOX, uid);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
