package org.mailroom.smtp;

import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.netty.BasicChannelInboundHandler;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.LineHandlerAware;
import org.apache.james.protocols.smtp.SMTPSession;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.EventExecutor;

/**
 * The core handler of one SMTP connection: runs James's protocol handler ({@link WorkerChannelHandler}) on the
 * connection's I/O thread for input that only computes and answers, and on a worker thread for input that may block
 * ({@link BlockingInput}: the commit at the end of DATA, RCPT's lookups, ...).
 *
 * <p>Why: with every command on a worker, each command line crossed from the I/O thread to the worker and each reply
 * back (greeting, EHLO, MAIL, RCPT, DATA, the message, QUIT: ~24 voluntary context switches per message of
 * {@code smtp-source}, a connection per message). On the I/O thread a command is answered where it was read, its
 * reply written and flushed at once, without waking another thread.
 *
 * <p>Why a blocked I/O thread cannot happen: only {@link BlockingInput}'s non-blocking input runs here; the rest goes
 * to the worker, and the I/O thread goes on serving its other connections meanwhile
 * ({@code MailroomSmtpServerTest}: one I/O thread, a commit that hangs, a second session served start to finish).
 *
 * <p>Order: a session's input is handled one event at a time, in the order read. While an event runs on the worker,
 * later events of the connection (lines read meanwhile, a pipelining client's next commands, the close) wait in
 * {@link #waiting}; when the worker is done it queues {@link #resume} on the I/O thread, behind the reply it wrote,
 * so the replies leave in order too. Whether a waiting line blocks is decided when it is its turn (the lines after
 * DATA are message data only once DATA has been handled). All the state here is touched on the I/O thread only,
 * except {@link #pushedLineHandlers}, which the worker changes when DATA or AUTH runs there (volatile; the hand-back
 * through the event loop's task queue orders it anyway). A client that keeps sending while its command waits for the
 * worker is no longer read from once {@link #MAX_WAITING} lines wait (TCP back-pressure; the lines of the read in
 * progress are still framed), which the worker's own task queue, used before, did not do.
 */
final class SessionDispatcher extends ChannelInboundHandlerAdapter implements LineHandlerAware {

    /** Lines (of at most 8 KiB) held for a connection while its worker is busy before its reads stop. */
    static final int MAX_WAITING = 64;

    private final WorkerChannelHandler james;
    private final EventExecutor worker;
    private final BlockingInput blockingInput;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private boolean onWorker;
    private boolean readsStopped;
    private volatile int pushedLineHandlers;

    SessionDispatcher(Protocol protocol, Encryption encryption, EventExecutor worker, BlockingInput blockingInput) {
        this.james = new WorkerChannelHandler(protocol, encryption, this);
        this.worker = worker;
        this.blockingInput = blockingInput;
    }

    /** A connection event other than a line read: handled in turn, always on the I/O thread. */
    @FunctionalInterface
    private interface Event {
        void handle(ChannelHandlerContext ctx) throws Exception;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Connect handlers: James's greeting and Mailroom's per-connection limits; none of them waits.
        dispatch(ctx, (Event) james::channelActive);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        dispatch(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        dispatch(ctx, (Event) james::channelInactive);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        dispatch(ctx, (Event) c -> james.exceptionCaught(c, cause));
    }

    private void dispatch(ChannelHandlerContext ctx, Object input) {
        if (onWorker || !waiting.isEmpty()) {
            waiting.add(input);
            if (waiting.size() >= MAX_WAITING && !readsStopped) {
                readsStopped = true;
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        handle(ctx, input);
    }

    private void handle(ChannelHandlerContext ctx, Object input) {
        if (input instanceof Event event) {
            handleHere(ctx, event);
        } else if (input instanceof ByteBuf line && blockingInput.blocks(session(ctx), line, pushedLineHandlers > 0)) {
            onWorker = true;
            try {
                worker.execute(() -> {
                    handleHere(ctx, c -> james.channelRead(c, line));
                    ctx.channel().eventLoop().execute(() -> resume(ctx));
                });
            } catch (RejectedExecutionException stopping) {
                // The listener is closing (its workers stop after its I/O threads): drop the line and the connection.
                onWorker = false;
                line.release();
                ctx.close();
            }
        } else {
            handleHere(ctx, c -> james.channelRead(c, input));
        }
    }

    /** On the I/O thread once the worker is done: the waiting input in order, until one goes to the worker again. */
    private void resume(ChannelHandlerContext ctx) {
        onWorker = false;
        while (!onWorker && !waiting.isEmpty()) {
            handle(ctx, waiting.poll());
        }
        if (readsStopped && waiting.size() < MAX_WAITING) {
            readsStopped = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** As Netty does for a handler that throws: the exception goes to James's handler, which answers and closes. */
    private void handleHere(ChannelHandlerContext ctx, Event event) {
        try {
            event.handle(ctx);
        } catch (Throwable failure) {
            try {
                james.exceptionCaught(ctx, failure);
            } catch (Exception closing) {
                failure.addSuppressed(closing);
                ctx.close();
            }
        }
    }

    private static SMTPSession session(ChannelHandlerContext ctx) {
        return (SMTPSession) ctx.channel().attr(BasicChannelInboundHandler.SESSION_ATTRIBUTE_KEY).get();
    }

    @Override
    public void pushLineHandler(ChannelInboundHandlerAdapter lineHandlerUpstreamHandler) {
        james.pushLineHandler(lineHandlerUpstreamHandler);
        pushedLineHandlers++;
    }

    @Override
    public void popLineHandler() {
        james.popLineHandler();
        if (pushedLineHandlers > 0) {
            pushedLineHandlers--;
        }
    }
}
