package org.mailroom.imap;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.compression.ZlibEncoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Every close of an IMAP connection that the server asks for (LOGOUT, a BYE for an over-limit literal or the third
 * failed login, the login and idle timeouts, a listener stopping) goes through here, the last handler of the
 * pipeline, which {@code channel.close()} reaches first. It makes the close lose nothing the client was sent:
 * <ol>
 *   <li>it waits until everything written before it has gone to the socket (an empty write, flushed, completes after
 *       them; writes still arriving meanwhile, such as James flushing its response buffer right after asking for the
 *       close, go out too);</li>
 *   <li>it ends the output only: the end of a COMPRESS=DEFLATE stream, TLS's {@code close_notify}, then a half-close
 *       ({@code shutdown(SHUT_WR)}), so the client reads every line and then the end of the stream;</li>
 *   <li>it reads and discards whatever the client still sends until the client closes its side, and closes then, or
 *       after {@link #DRAIN} at the latest.</li>
 * </ol>
 *
 * <p>Why: closing a socket whose receive queue still holds unread bytes (what a client pipelined behind LOGOUT, the
 * rest of a refused {@code {N+}} literal, a command the decoder has not read because the one before is running)
 * makes the kernel send a reset instead of a FIN, and a client that receives the reset discards the lines it had
 * received but not yet read: it saw a connection reset, or a timeout waiting for the BYE. On Netty's native epoll
 * transport the close follows the last write within microseconds, so this happened to about one run in three of the
 * LOGOUT and over-limit literal tests; NIO was slower, not right. The reads and the discarding run at the head of the
 * pipeline (raw bytes, before TLS and the decoder), so nothing the client sends after the close reaches a command.
 * Apache httpd's "lingering close" does the same, with the same two seconds.
 *
 * <p>A client that reads nothing keeps the last writes from completing: {@link #WRITE_DEADLINE} after the close was
 * asked for, the connection is closed whatever is still unsent, as before.
 *
 * <p>Netty runs {@link #close} on the connection's event loop whichever thread asked, after every write that thread
 * queued before asking; all state here is touched on that loop only.
 */
final class LingeringClose extends ChannelDuplexHandler {
    /** How long a closing connection waits for the client to close its side, reading and discarding meanwhile. */
    static final Duration DRAIN = Duration.ofSeconds(2);
    /** How long a closing connection waits for its last lines to be written (a client may have stopped reading). */
    static final Duration WRITE_DEADLINE = Duration.ofSeconds(10);
    static final String NAME = "mailroomLingeringClose";
    private static final String DISCARD = "mailroomDiscardAfterClose";

    private boolean closing;
    /** Writes that reached this handler since the last empty write went out: the output ends after them. */
    private boolean writtenSinceMark;
    private ScheduledFuture<?> writeDeadline;
    private ScheduledFuture<?> drainTimeout;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (closing) {
            writtenSinceMark = true;
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        // a connection the server is ending takes no more commands: it gives back its address's place now, not
        // when the client has closed its side too (a client logging out and in again would race it)
        ConnectionsPerIp.serverClosing(ctx.channel());
        if (!ctx.channel().isActive() || !(ctx.channel() instanceof DuplexChannel)) {
            ctx.close(promise);
            return;
        }
        // this close, and any asked for while lingering, completes when the connection is closed
        ctx.channel().closeFuture().addListener(closed -> promise.trySuccess());
        if (closing) {
            return;
        }
        closing = true;
        writeDeadline = ctx.executor().schedule(() -> ctx.close(), WRITE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        afterPendingWrites(ctx);
    }

    /** Flushes a mark behind what was written so far, and ends the output once it (and so all of that) is written. */
    private void afterPendingWrites(ChannelHandlerContext ctx) {
        writtenSinceMark = false;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFuture written) -> {
            if (!written.isSuccess() || !ctx.channel().isActive()) {
                ctx.close();
            } else if (writtenSinceMark) {
                afterPendingWrites(ctx);
            } else {
                endOutput(ctx);
            }
        });
    }

    /** Ends the deflate stream (inside TLS) if compressing, then TLS, then the socket's output. */
    private void endOutput(ChannelHandlerContext ctx) {
        ZlibEncoder deflater = ctx.pipeline().get(ZlibEncoder.class);
        if (deflater != null && !deflater.isClosed()) {
            deflater.close().addListener(finished -> endTls(ctx));
        } else {
            endTls(ctx);
        }
    }

    private void endTls(ChannelHandlerContext ctx) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls != null && !tls.engine().isOutboundDone()) {
            tls.closeOutbound().addListener(notified -> halfClose(ctx));
        } else {
            halfClose(ctx);
        }
    }

    private void halfClose(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        ctx.pipeline().addFirst(DISCARD, new DiscardInput());
        ((DuplexChannel) ctx.channel()).shutdownOutput().addListener(shut -> {
            if (!shut.isSuccess()) {
                ctx.close();
                return;
            }
            drainTimeout = ctx.executor().schedule(() -> ctx.close(), DRAIN.toMillis(), TimeUnit.MILLISECONDS);
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (writeDeadline != null) {
            writeDeadline.cancel(false);
        }
        if (drainTimeout != null) {
            drainTimeout.cancel(false);
        }
        super.channelInactive(ctx);
    }

    /**
     * First in the pipeline of a connection whose output has ended: drops every byte the client still sends, and
     * any error reading it (a reset is the client closing too), so that its end of stream closes the connection.
     */
    private static final class DiscardInput extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            // nothing downstream is waiting for input any more
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // from the head: the channel's own close would come back to the lingering close, which waits
            ctx.close();
        }
    }
}
