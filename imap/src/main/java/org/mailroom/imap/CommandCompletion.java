package org.mailroom.imap;

import java.util.concurrent.RejectedExecutionException;

import org.apache.james.imap.api.process.ImapSession;

import io.netty.util.concurrent.EventExecutor;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Tells a connection's request decoder that the command it handed over has completed, so that it decodes the next
 * one only then (RFC 3501 section 5.5): a command is checked against the session's state when it is decoded, so a
 * SELECT pipelined behind a LOGIN must not be decoded before the LOGIN has changed that state.
 *
 * <p>It also ends each command on its connection's event loop. A command whose work ran on a blocking pool (a STORE's
 * transaction, a FETCH's or SEARCH's read on {@code boundedElastic}, an APPEND on the path locker) used to finish
 * there, and what James does at the end of every command then came to the event loop piece by piece from that
 * thread: the flush of the buffered responses ({@code writeAndFlush}), the heartbeat handler's removal, {@code
 * fireChannelReadComplete}, and this class's signal, each a task handed to the loop, and each able to wake it (the
 * JDK selector's {@code wakeup}, whose lock the pool thread and the loop contend for) when the loop had gone back to
 * sleep in between. Ending the command on the loop makes that one hand-off, and all of it runs there in order, after
 * any response the command flushed earlier (those writes were queued on the same loop before). A command that ends
 * on its loop (NOOP, CAPABILITY, a FETCH answered without a hop) is signalled right away, as before.
 */
final class CommandCompletion {
    private static final String LISTENER = "mailroom.commandCompletion";
    private static final String EVENT_LOOP = "mailroom.commandEventLoop";

    private CommandCompletion() {
    }

    /**
     * Registers what runs each time a command of {@code session} has completed, and the connection's event loop,
     * where the command's end is signalled.
     */
    static void listen(ImapSession session, EventExecutor eventLoop, Runnable listener) {
        session.setAttribute(EVENT_LOOP, eventLoop);
        session.setAttribute(LISTENER, listener);
    }

    /** Whether the calling thread is the session's event loop (a thread that must never wait). */
    static boolean onEventLoop(ImapSession session) {
        return session.getAttribute(EVENT_LOOP) instanceof EventExecutor loop && loop.inEventLoop();
    }

    /**
     * {@code processing}, ending (completed or failed) on the session's event loop when one is registered, that,
     * however it ends (completed, failed or cancelled), lets the listener know.
     */
    static Mono<Void> signalled(Mono<Void> processing, ImapSession session) {
        Mono<Void> ending = session.getAttribute(EVENT_LOOP) instanceof EventExecutor loop ? endingOn(processing, loop) : processing;
        return ending.doFinally(signal -> {
            if (session.getAttribute(LISTENER) instanceof Runnable listener) {
                listener.run();
            }
        });
    }

    /** {@code processing} whose completion or error is signalled on {@code loop} (at once when it ends there). */
    static Mono<Void> endingOn(Mono<Void> processing, EventExecutor loop) {
        return Mono.create(sink -> {
            Disposable running = processing.contextWrite(sink.contextView()).subscribe(
                ignored -> { },
                error -> onLoop(loop, () -> sink.error(error)),
                () -> onLoop(loop, sink::success));
            sink.onCancel(running);
        });
    }

    private static void onLoop(EventExecutor loop, Runnable signal) {
        if (loop.inEventLoop()) {
            signal.run();
            return;
        }
        try {
            loop.execute(signal);
        } catch (RejectedExecutionException shuttingDown) {
            // the server is stopping and the loop takes no more tasks: end the command where it is
            signal.run();
        }
    }
}
