package org.mailroom.imap;

import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The Netty event loops the IMAP listeners accept, read, decrypt, frame and write on: Netty's native epoll
 * transport on Linux, Java NIO where the native library does not load (another OS or architecture).
 *
 * <p>Why epoll: James's {@code AbstractAsyncServer} hard-codes a {@code NioEventLoopGroup}. Most IMAP commands run on
 * Reactor's {@code boundedElastic} threads and write their response from there, and every such write wakes the
 * connection's event loop: the JDK selector's {@code wakeup()} takes a lock its own loop takes around every
 * {@code select} (h-imapmix counted 410 contended entries in 600 STOREs), where Netty's epoll loop writes an
 * {@code eventfd} and skips the write while the loop is awake anyway. The SMTP listeners moved to it for the same
 * reason (smtp's {@code OffloadingNettyServer}).
 *
 * <p>One group serves both listeners (STARTTLS and implicit TLS), accepting and serving connections alike: an IMAP
 * connection lives for minutes to hours, so accepting is rare and needs no thread of its own. Its size defaults to
 * one thread per core ({@link #defaultThreads()}): the loops only do non-blocking work (TLS, framing, decoding,
 * encoding; store reads and writes run on Reactor's threads), so a loop per core keeps every core busy, and more
 * loops than cores only add thread switches. James started 2 × cores NIO loops per listener (8 on 2 cores, for two
 * listeners), each mostly asleep.
 *
 * <p>The group is shared, so a listener's {@code unbind()} closes its own connections (it tracks them) and leaves
 * the loops running; {@link #close()} stops the loops, after the listeners that use them.
 */
public final class ImapEventLoops implements AutoCloseable {

    private static final String THREAD_NAME = "imap-io";

    private final EventLoopGroup group;
    private final Class<? extends ServerChannel> serverChannel;

    private ImapEventLoops(EventLoopGroup group, Class<? extends ServerChannel> serverChannel) {
        this.group = group;
        this.serverChannel = serverChannel;
    }

    /** {@code threads} loops on the native epoll transport where it is available, on NIO elsewhere. */
    public static ImapEventLoops create(int threads) {
        return Epoll.isAvailable() ? epoll(threads) : nio(threads);
    }

    /** {@link #create(int)} with {@link #defaultThreads()} loops. */
    public static ImapEventLoops create() {
        return create(defaultThreads());
    }

    /** One loop per core the JVM may use. */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    private static ImapEventLoops epoll(int threads) {
        return new ImapEventLoops(new EpollEventLoopGroup(threads, threadFactory()), EpollServerSocketChannel.class);
    }

    /** Java NIO loops, as where the native transport is not available (and for the tests of that fallback). */
    static ImapEventLoops nio(int threads) {
        return new ImapEventLoops(new NioEventLoopGroup(threads, threadFactory()), NioServerSocketChannel.class);
    }

    private static DefaultThreadFactory threadFactory() {
        return new DefaultThreadFactory(THREAD_NAME, true);
    }

    /** Whether the loops run Netty's native epoll transport rather than Java NIO. */
    public boolean nativeTransport() {
        return group instanceof EpollEventLoopGroup;
    }

    /** A bootstrap whose listener and connections run on these loops. */
    ServerBootstrap bootstrap() {
        return new ServerBootstrap().group(group).channel(serverChannel);
    }

    /** Stops the loops; a connection still open on them is closed as its loop stops. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
