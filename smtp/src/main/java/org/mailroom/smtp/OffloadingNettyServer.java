package org.mailroom.smtp;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.api.ProtocolServer;
import org.apache.james.protocols.netty.ChannelHandlerFactory;
import org.apache.james.protocols.netty.ConnectionPerIpLimitUpstreamHandler;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.protocols.netty.TimeoutHandler;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;

/**
 * James's SMTP pipeline on Netty with two changes: the protocol handlers (every command, DATA line and hook, the
 * message hook's commit included) run on a bounded group of worker threads instead of the Netty I/O threads, and the
 * I/O threads use Netty's native epoll transport on Linux (Java NIO elsewhere).
 *
 * <p>Why workers: James 3.8.1 writes the reply to DATA when the message hook returns, so a hook that commits to disk
 * blocks the thread it runs on. On James's {@code NettyServer} that is an I/O thread, and every other session on
 * the same event loop waits for that commit (reads, greetings, replies). Here each channel is pinned to one worker
 * of {@link #workers} (Netty keeps a channel's events in order on it), so up to {@code workers} sessions run their
 * commands or commits at once, while the I/O threads only read, frame and write. James's own full server does the
 * same with its "max executor threads" setting; protocols-netty's {@code NettyServer} offers no way to (its
 * constructor is private).
 *
 * <p>Why epoll: every command and reply crosses between an I/O thread and a worker, and each crossing towards the
 * I/O thread wakes its event loop; with one connection per message ({@code smtp-source}, many MTAs) the I/O threads
 * also accept, set up and close a channel per message. Netty's epoll loop does this with fewer system calls and
 * less garbage than the JDK selector that James's {@code AbstractAsyncServer} hard-codes, hence the bootstrap
 * here rather than that class's.
 *
 * <p>The pipeline is James's, in James's order and with James's handlers: per-IP connection limit, (TLS,) framer,
 * chunked writes, idle timeout, core handler. The framer runs on the I/O thread: splitting lines is cheap, and
 * James's extra 16-thread framer group per server (never shut down by {@code unbind()}) is not created at all.
 * Accepted channels get TCP_NODELAY, as James sets it.
 */
final class OffloadingNettyServer implements ProtocolServer {

    private static final int BACKLOG = 250;

    private final Protocol protocol;
    private final Encryption encryption;
    private final ChannelHandlerFactory framing;
    private final Optional<ConnectionPerIpLimitUpstreamHandler> perIpLimit;
    private final EventExecutorGroup workers;
    private final int ioWorkers;
    private final int timeoutSeconds;
    private final InetSocketAddress address;
    private final String threadName;
    private EventLoopGroup acceptor;
    private EventLoopGroup ioGroup;
    private Channel listener;

    OffloadingNettyServer(Protocol protocol, Encryption encryption, ChannelHandlerFactory framing,
                          int maxConnectionsPerIp, int workers, int ioWorkers, int timeoutSeconds,
                          InetSocketAddress address, String threadName) {
        this.protocol = protocol;
        this.encryption = encryption;
        this.framing = framing;
        // One instance for all channels: it holds the per-IP counts.
        this.perIpLimit = ConnectionPerIpLimitUpstreamHandler.forCount(maxConnectionsPerIp);
        this.workers = new DefaultEventExecutorGroup(workers, new DefaultThreadFactory(threadName, true));
        this.ioWorkers = ioWorkers;
        this.timeoutSeconds = timeoutSeconds;
        this.address = address;
        this.threadName = threadName;
    }

    /** Whether the I/O threads run Netty's native epoll loop (Linux with its native library) rather than NIO. */
    static boolean nativeTransport() {
        return Epoll.isAvailable();
    }

    @Override
    public synchronized void bind() throws Exception {
        if (listener != null) {
            throw new IllegalStateException("already bound");
        }
        // As James: one thread accepts, the I/O threads serve the accepted channels.
        DefaultThreadFactory acceptorThread = new DefaultThreadFactory(threadName + "-boss", true);
        DefaultThreadFactory ioThreads = new DefaultThreadFactory(threadName + "-io", true);
        Class<? extends ServerChannel> channelType;
        if (nativeTransport()) {
            acceptor = new EpollEventLoopGroup(1, acceptorThread);
            ioGroup = new EpollEventLoopGroup(ioWorkers, ioThreads);
            channelType = EpollServerSocketChannel.class;
        } else {
            acceptor = new NioEventLoopGroup(1, acceptorThread);
            ioGroup = new NioEventLoopGroup(ioWorkers, ioThreads);
            channelType = NioServerSocketChannel.class;
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
            .group(acceptor, ioGroup)
            .channel(channelType)
            .option(ChannelOption.SO_BACKLOG, BACKLOG)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(pipeline());
        try {
            listener = bootstrap.bind(address).sync().channel();
        } catch (Exception e) {
            stopLoops();
            throw e;
        }
    }

    private ChannelInitializer<SocketChannel> pipeline() {
        boolean implicitTls = encryption != null && encryption.supportsEncryption() && !encryption.isStartTLS();
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                ChannelPipeline pipeline = channel.pipeline();
                perIpLimit.ifPresent(limit -> pipeline.addLast(HandlerConstants.CONNECTION_LIMIT_PER_IP_HANDLER, limit));
                pipeline.addLast(HandlerConstants.FRAMER, framing.create(pipeline));
                pipeline.addLast(HandlerConstants.CHUNK_HANDLER, new ChunkedWriteHandler());
                pipeline.addLast(HandlerConstants.TIMEOUT_HANDLER, new TimeoutHandler(timeoutSeconds));
                pipeline.addLast(workers, HandlerConstants.CORE_HANDLER, new WorkerChannelHandler(protocol, encryption));
                if (implicitTls) {
                    pipeline.addFirst(HandlerConstants.SSL_HANDLER, encryption.sslHandler());
                }
            }
        };
    }

    /**
     * Closes the listener and its connections (the I/O threads close every channel they own as they stop), then
     * lets the workers finish what they run (a commit) and stop.
     */
    @Override
    public synchronized void unbind() {
        if (listener != null) {
            listener.close().awaitUninterruptibly();
            listener = null;
        }
        stopLoops();
        workers.shutdownGracefully(0, 10, TimeUnit.SECONDS).awaitUninterruptibly(15, TimeUnit.SECONDS);
    }

    private void stopLoops() {
        for (EventLoopGroup loops : new EventLoopGroup[] {acceptor, ioGroup}) {
            if (loops != null) {
                loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        acceptor = null;
        ioGroup = null;
    }

    @Override
    public synchronized boolean isBound() {
        return listener != null;
    }

    @Override
    public int getTimeout() {
        return timeoutSeconds;
    }

    @Override
    public int getBacklog() {
        return BACKLOG;
    }

    @Override
    public synchronized List<InetSocketAddress> getListenAddresses() {
        List<InetSocketAddress> bound = new ArrayList<>();
        if (listener != null) {
            bound.add((InetSocketAddress) listener.localAddress());
        }
        return bound;
    }
}
