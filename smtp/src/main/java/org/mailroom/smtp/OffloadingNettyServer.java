package org.mailroom.smtp;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.netty.AbstractAsyncServer;
import org.apache.james.protocols.netty.ChannelHandlerFactory;
import org.apache.james.protocols.netty.ConnectionPerIpLimitUpstreamHandler;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.protocols.netty.TimeoutHandler;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;

/**
 * James's Netty server with one change of threads: the protocol handlers (every command, DATA line and hook, the
 * message hook's commit included) run on a bounded group of worker threads instead of the Netty I/O threads.
 *
 * <p>Why: James 3.8.1 writes the reply to DATA when the message hook returns, so a hook that commits to disk
 * blocks the thread it runs on. On James's {@code NettyServer} that is an I/O thread, and every other session on
 * the same event loop waits for that commit (reads, greetings, replies). Here each channel is pinned to one worker
 * of {@link #workers} (Netty keeps a channel's events in order on it), so up to {@code workers} sessions run their
 * commands or commits at once, while the I/O threads only read, frame and write. James's own full server does the
 * same with its "max executor threads" setting; protocols-netty's {@code NettyServer} offers no way to, hence this
 * class (its constructor is private).
 *
 * <p>The pipeline is James's, in James's order and with James's handlers: per-IP connection limit, (TLS,) framer,
 * chunked writes, idle timeout, core handler. The framer runs on the I/O thread: splitting lines is cheap, and
 * James's extra 16-thread framer group per server (never shut down by {@code unbind()}) is not created at all.
 * Accepted channels get TCP_NODELAY from {@link AbstractAsyncServer#configureBootstrap}.
 */
final class OffloadingNettyServer extends AbstractAsyncServer {

    private final Protocol protocol;
    private final Encryption encryption;
    private final ChannelHandlerFactory framing;
    private final Optional<ConnectionPerIpLimitUpstreamHandler> perIpLimit;
    private final EventExecutorGroup workers;

    OffloadingNettyServer(Protocol protocol, Encryption encryption, ChannelHandlerFactory framing,
                          int maxConnectionsPerIp, int workers, String threadName) {
        this.protocol = protocol;
        this.encryption = encryption;
        this.framing = framing;
        // One instance for all channels: it holds the per-IP counts.
        this.perIpLimit = ConnectionPerIpLimitUpstreamHandler.forCount(maxConnectionsPerIp);
        this.workers = new DefaultEventExecutorGroup(workers, new DefaultThreadFactory(threadName, true));
        this.jmxName = threadName;
    }

    @Override
    protected ChannelInitializer<SocketChannel> createPipelineFactory() {
        int timeout = getTimeout();
        boolean implicitTls = encryption != null && encryption.supportsEncryption() && !encryption.isStartTLS();
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                ChannelPipeline pipeline = channel.pipeline();
                perIpLimit.ifPresent(limit -> pipeline.addLast(HandlerConstants.CONNECTION_LIMIT_PER_IP_HANDLER, limit));
                pipeline.addLast(HandlerConstants.FRAMER, framing.create(pipeline));
                pipeline.addLast(HandlerConstants.CHUNK_HANDLER, new ChunkedWriteHandler());
                pipeline.addLast(HandlerConstants.TIMEOUT_HANDLER, new TimeoutHandler(timeout));
                pipeline.addLast(workers, HandlerConstants.CORE_HANDLER, new WorkerChannelHandler(protocol, encryption));
                if (implicitTls) {
                    pipeline.addFirst(HandlerConstants.SSL_HANDLER, encryption.sslHandler());
                }
            }
        };
    }

    /** Closes the listener and its connections, then lets the workers finish what they run (a commit) and stop. */
    @Override
    public synchronized void unbind() {
        super.unbind();
        workers.shutdownGracefully(0, 10, TimeUnit.SECONDS).awaitUninterruptibly(15, TimeUnit.SECONDS);
    }
}
