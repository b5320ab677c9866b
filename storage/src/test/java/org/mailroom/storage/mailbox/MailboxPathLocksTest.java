package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxPathLocker.LockType;
import org.apache.james.mailbox.model.MailboxPath;
import org.junit.jupiter.api.Test;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

class MailboxPathLocksTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MailboxPathLocks locks = new MailboxPathLocks();
    private final MailboxPath inbox = MailboxPath.inbox(Username.of("alice"));

    @Test
    void aSharedLockRunsOnTheThreadThatAsksForIt() {
        Thread ran = Mono.from(locks.executeReactiveWithLockReactive(inbox, Mono.fromCallable(Thread::currentThread),
            LockType.Read)).block(WAIT);

        assertThat(ran).isSameAs(Thread.currentThread());
    }

    @Test
    void anExclusiveLockIsTakenOnJamesPathLockerThreads() {
        Thread ran = Mono.from(locks.executeReactiveWithLockReactive(inbox, Mono.fromCallable(Thread::currentThread),
            LockType.Write)).block(WAIT);

        assertThat(ran).isNotSameAs(Thread.currentThread());
        assertThat(ran.getName()).startsWith("jvm-path-locker");
    }

    @Test
    void aThreadThatMustNotBlockHandsEvenASharedLockOver() {
        Mono<Thread> shared = Mono.from(locks.executeReactiveWithLockReactive(inbox,
            Mono.fromCallable(Thread::currentThread), LockType.Read));

        String where = Mono.defer(() -> shared.map(Thread::getName))
            .subscribeOn(Schedulers.parallel())
            .block(WAIT);

        assertThat(where).startsWith("jvm-path-locker");
    }

    @Test
    void aSharedLockOnTheCallersThreadWaitsForAnExclusiveHolder() throws Exception {
        CountDownLatch exclusiveHeld = new CountDownLatch(1);
        CountDownLatch releaseExclusive = new CountDownLatch(1);
        AtomicBoolean exclusiveRunning = new AtomicBoolean();
        Mono.from(locks.executeReactiveWithLockReactive(inbox, Mono.fromCallable(() -> {
            exclusiveRunning.set(true);
            exclusiveHeld.countDown();
            releaseExclusive.await();
            exclusiveRunning.set(false);
            return true;
        }), LockType.Write)).subscribe();
        assertThat(exclusiveHeld.await(10, TimeUnit.SECONDS)).isTrue();

        AtomicBoolean sawExclusiveRunning = new AtomicBoolean(true);
        CountDownLatch sharedDone = new CountDownLatch(1);
        Thread appender = new Thread(() -> {
            Mono.from(locks.executeReactiveWithLockReactive(inbox,
                Mono.fromCallable(() -> exclusiveRunning.get()), LockType.Read)).doOnNext(sawExclusiveRunning::set).block(WAIT);
            sharedDone.countDown();
        });
        appender.start();

        assertThat(sharedDone.await(300, TimeUnit.MILLISECONDS)).as("shared ran while the exclusive lock was held").isFalse();
        releaseExclusive.countDown();
        assertThat(sharedDone.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sawExclusiveRunning).isFalse();
    }

    @Test
    void sharedHoldersOnTheirOwnThreadsRunTogether() throws Exception {
        CountDownLatch bothInside = new CountDownLatch(2);
        Runnable holder = () -> Mono.from(locks.executeReactiveWithLockReactive(inbox, Mono.fromCallable(() -> {
            bothInside.countDown();
            return bothInside.await(10, TimeUnit.SECONDS);
        }), LockType.Read)).block(WAIT);
        Thread first = new Thread(holder);
        Thread second = new Thread(holder);
        first.start();
        second.start();
        first.join(10_000);
        second.join(10_000);

        assertThat(bothInside.getCount()).isZero();
    }

    @Test
    void theBlockingFormExcludesTheReactiveOne() throws Exception {
        CountDownLatch blockingHeld = new CountDownLatch(1);
        CountDownLatch releaseBlocking = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try {
                locks.executeWithLock(inbox, () -> {
                    blockingHeld.countDown();
                    try {
                        return releaseBlocking.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }, LockType.Write);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        assertThat(blockingHeld.await(10, TimeUnit.SECONDS)).isTrue();

        Mono<Boolean> shared = Mono.from(locks.executeReactiveWithLockReactive(inbox, Mono.just(true), LockType.Read));
        assertThat(shared.subscribeOn(Schedulers.boundedElastic()).timeout(Duration.ofMillis(300))
            .onErrorReturn(false).block(WAIT)).isFalse();
        releaseBlocking.countDown();
        writer.join(10_000);
        assertThat(shared.block(WAIT)).isTrue();
    }
}
