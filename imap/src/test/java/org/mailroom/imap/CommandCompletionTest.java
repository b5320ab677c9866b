package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/**
 * A command that ends on a blocking pool's thread is signalled on its connection's event loop (one hand-off for
 * everything James does at a command's end), with its error, its context and its cancellation kept; one that ends on
 * the loop is signalled there at once. A real Netty event loop and Reactor's {@code boundedElastic} pool.
 */
@Timeout(30)
class CommandCompletionTest {
    private EventLoop loop;

    @BeforeEach
    void startLoop() {
        loop = new DefaultEventLoop();
    }

    @AfterEach
    void stopLoop() throws Exception {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private Thread loopThread() throws Exception {
        return loop.submit(Thread::currentThread).get();
    }

    @Test
    void workEndingOnTheBlockingPoolIsSignalledOnTheEventLoop() throws Exception {
        AtomicReference<Thread> worked = new AtomicReference<>();
        AtomicReference<Thread> signalled = new AtomicReference<>();
        Mono<Void> blockingWork = Mono.<Void>fromRunnable(() -> worked.set(Thread.currentThread()))
            .subscribeOn(Schedulers.boundedElastic());

        CommandCompletion.endingOn(blockingWork, loop)
            .doOnSuccess(ignored -> signalled.set(Thread.currentThread()))
            .block(Duration.ofSeconds(10));

        assertThat(worked.get().getName()).startsWith("boundedElastic");
        assertThat(signalled.get()).isSameAs(loopThread());
    }

    @Test
    void anErrorIsSignalledOnTheEventLoopToo() throws Exception {
        AtomicReference<Thread> signalled = new AtomicReference<>();
        IllegalStateException failure = new IllegalStateException("store failed");
        Mono<Void> failing = Mono.<Void>error(failure).subscribeOn(Schedulers.boundedElastic());

        AtomicReference<Throwable> seen = new AtomicReference<>();
        CountDownLatch ended = new CountDownLatch(1);
        CommandCompletion.endingOn(failing, loop).subscribe(null, error -> {
            signalled.set(Thread.currentThread());
            seen.set(error);
            ended.countDown();
        });

        assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(seen.get()).isSameAs(failure);
        assertThat(signalled.get()).isSameAs(loopThread());
    }

    @Test
    void workEndingOnTheEventLoopIsSignalledAtOnceWithoutATask() throws Exception {
        // Run on the loop: the signal must come before the subscribing task returns, not as a later task.
        Boolean signalledInline = loop.submit(() -> {
            AtomicBoolean signalled = new AtomicBoolean();
            CommandCompletion.endingOn(Mono.empty(), loop).subscribe(null, null, () -> signalled.set(true));
            return signalled.get();
        }).get();

        assertThat(signalledInline).isTrue();
    }

    @Test
    void theSubscribersContextReachesTheWork() {
        // James's handler puts the session's logging context (MDC) downstream of the processor
        AtomicReference<String> seen = new AtomicReference<>();
        Mono<Void> work = Mono.<Void>deferContextual(context -> {
            seen.set(context.get("imap"));
            return Mono.empty();
        }).subscribeOn(Schedulers.boundedElastic());

        CommandCompletion.endingOn(work, loop)
            .contextWrite(Context.of("imap", "session-7"))
            .block(Duration.ofSeconds(10));

        assertThat(seen.get()).isEqualTo("session-7");
    }

    @Test
    void cancellingStopsTheWork() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        Mono<Void> neverEnding = Mono.<Void>never().doOnCancel(cancelled::countDown);

        Disposable command = CommandCompletion.endingOn(neverEnding, loop).subscribe();
        command.dispose();

        assertThat(cancelled.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aStoppedEventLoopStillLetsTheCommandEnd() throws Exception {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        Mono<Void> blockingWork = Mono.<Void>empty().subscribeOn(Schedulers.boundedElastic());

        AtomicReference<Thread> signalled = new AtomicReference<>();
        CommandCompletion.endingOn(blockingWork, loop)
            .doOnSuccess(ignored -> signalled.set(Thread.currentThread()))
            .block(Duration.ofSeconds(10));

        assertThat(signalled.get().getName()).startsWith("boundedElastic");
    }
}
