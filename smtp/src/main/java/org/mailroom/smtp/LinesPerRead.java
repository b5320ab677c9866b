package org.mailroom.smtp;

import java.util.ArrayList;
import java.util.List;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits on the I/O thread between the framer and the worker's protocol handler and passes on the lines framed from
 * one socket read as one {@link Lines} message, so the worker gets one task per read instead of one per line.
 *
 * <p>Why: the protocol handler runs on another executor ({@link OffloadingNettyServer}), and Netty hands every
 * message that crosses executors over as a task of its own (a task object, a queue lock, a wake-up). A 4 KB message
 * is about 55 DATA lines, nearly always read at once: 55 hand-offs per message became one.
 *
 * <p>Order is kept: what this handler holds is passed on before any later event of the channel (read complete,
 * an exception such as the framer's line-too-long, a user event, the channel going inactive), and the worker
 * ({@link WorkerChannelHandler}) handles the lines one after the other as if each had come alone. Not sharable:
 * one instance per channel, used by its I/O thread only.
 */
final class LinesPerRead extends ChannelInboundHandlerAdapter {

    /** The lines of one read, in order; the receiver owns (and releases) each. */
    static final class Lines {
        private final List<Object> lines;

        private Lines(List<Object> lines) {
            this.lines = lines;
        }

        List<Object> lines() {
            return lines;
        }
    }

    private List<Object> held = new ArrayList<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        held.add(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        passOn(ctx);
        ctx.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        passOn(ctx);
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        passOn(ctx);
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        passOn(ctx);
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
    }

    private void passOn(ChannelHandlerContext ctx) {
        if (held.isEmpty()) {
            return;
        }
        if (held.size() == 1) {
            Object line = held.get(0);
            held.clear();
            ctx.fireChannelRead(line);
            return;
        }
        Lines lines = new Lines(held);
        held = new ArrayList<>();
        ctx.fireChannelRead(lines);
    }
}
