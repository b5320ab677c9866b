package org.mailroom.imap;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.decode.ImapDecoder;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imapserver.netty.IMAPServer;
import org.apache.james.imapserver.netty.ImapIdleStateHandler;
import org.apache.james.imapserver.netty.ImapMetrics;
import org.apache.james.imapserver.netty.NettyConstants;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.protocols.netty.AbstractChannelPipelineFactory;
import org.apache.james.protocols.netty.HandlerConstants;
import org.mailroom.tls.ServerTls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * A James {@link IMAPServer} that takes its TLS from a {@link ServerTls} built by Mailroom (OpenSSL where it
 * loads), and adds Mailroom's connection limits to James's pipeline.
 *
 * <p>James 3.8.1 only builds TLS from keystore paths resolved through its {@code FileSystem}
 * ({@code tls.keystore} and friends), always with the JDK's engine; overriding {@link #buildSSLContext()} lets the
 * composition root hand over an already loaded context and keeps James's file lookup out of the picture. James adds
 * the {@code SslHandler} that {@code encryption} makes, first in the pipeline for implicit TLS and after the tagged
 * OK for STARTTLS.
 *
 * <p>James refuses an idle timeout under 30 minutes at configuration time and has no login timeout: the pipeline
 * James builds is kept, its idle handler is replaced by one with Mailroom's timeout and a {@link ConnectionGuard}
 * is put in front of the core handler, and {@link LingeringClose} after everything, so that a close the server asks
 * for writes every line before it and ends with a half-close rather than a reset. James's request decoder is replaced
 * by {@link MailroomRequestFrameDecoder} (literal limits checked before the continuation, bare-LF line ends after
 * literals, unterminated quoted strings), and its per-address connection limit by {@link ConnectionsPerIp} (a
 * connection the server is closing no longer counts).
 *
 * <p>James's {@code AbstractAsyncServer.bind()} hard-codes NIO event loops of its own per listener; {@link #bind()}
 * here binds the same pipeline with the same options (James's {@code configureBootstrap}) on the {@link ImapEventLoops}
 * it is given (native epoll where available), which other listeners may share. So {@link #unbind()} closes the
 * listening channels and this listener's connections, not the loops.
 */
final class SslContextImapServer extends IMAPServer {

    private final ServerTls tls;
    private final boolean implicitTls;
    private final Duration idleTimeout;
    private final Duration loginTimeout;
    private final ImapDecoder decoder;
    private final ImapLimits limits;
    private final ImapEventLoops loops;
    /** This listener's open connections: the loops are shared, so stopping them cannot be what closes these. */
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<Channel> listeners = new ArrayList<>();
    private List<InetSocketAddress> addresses = List.of();

    SslContextImapServer(ImapDecoder decoder, ImapEncoder encoder, ImapProcessor processor, ImapMetrics metrics,
                         GaugeRegistry gauges, ServerTls tls, boolean implicitTls, ImapLimits limits,
                         ImapEventLoops loops) {
        super(decoder, encoder, processor, metrics, gauges);
        this.loops = loops;
        this.decoder = decoder;
        this.limits = limits;
        this.tls = tls;
        this.implicitTls = implicitTls;
        this.idleTimeout = limits.idleTimeout();
        this.loginTimeout = limits.loginTimeout();
    }

    @Override
    public synchronized void setListenAddresses(InetSocketAddress... addresses) {
        super.setListenAddresses(addresses);
        this.addresses = List.of(addresses);
    }

    @Override
    public synchronized void bind() throws Exception {
        if (!listeners.isEmpty()) {
            throw new IllegalStateException("already bound");
        }
        if (addresses.isEmpty()) {
            throw new IllegalStateException("no address to bind");
        }
        ServerBootstrap bootstrap = loops.bootstrap().childHandler(createPipelineFactory());
        configureBootstrap(bootstrap);
        try {
            for (InetSocketAddress address : addresses) {
                listeners.add(bootstrap.bind(address).sync().channel());
            }
        } catch (Exception e) {
            unbind();
            throw e;
        }
    }

    @Override
    public synchronized void unbind() {
        for (Channel listener : listeners) {
            listener.close().awaitUninterruptibly();
        }
        listeners.clear();
        connections.close().awaitUninterruptibly();
    }

    @Override
    public synchronized boolean isBound() {
        return !listeners.isEmpty();
    }

    @Override
    public synchronized List<InetSocketAddress> getListenAddresses() {
        return listeners.stream().map(listener -> (InetSocketAddress) listener.localAddress()).toList();
    }

    /** The listening channels (their class tells the transport). */
    synchronized List<Channel> listeningChannels() {
        return List.copyOf(listeners);
    }

    @Override
    protected void buildSSLContext() {
        encryption = implicitTls ? tls.implicitTls() : tls.startTls();
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    protected AbstractChannelPipelineFactory createPipelineFactory() {
        AbstractChannelPipelineFactory james = super.createPipelineFactory();
        int idleSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, idleTimeout.toSeconds()));
        // one count per listener, as James's handler it replaces
        ConnectionsPerIp perIp = limits.connectionsPerIp() > 0 ? new ConnectionsPerIp(limits.connectionsPerIp()) : null;
        return new AbstractChannelPipelineFactory(getFrameHandlerFactory(), getExecutorGroup()) {
            @Override
            protected ChannelInboundHandlerAdapter createHandler() {
                return createCoreHandler();
            }

            @Override
            public void initChannel(Channel channel) {
                connections.add(channel);
                ChannelPipeline pipeline = channel.pipeline();
                // A ChannelInitializer added to a registered channel runs at once and then removes itself.
                pipeline.addLast(james);
                if (perIp != null && pipeline.get(HandlerConstants.CONNECTION_LIMIT_PER_IP_HANDLER) != null) {
                    pipeline.replace(HandlerConstants.CONNECTION_LIMIT_PER_IP_HANDLER,
                        HandlerConstants.CONNECTION_LIMIT_PER_IP_HANDLER, perIp);
                }
                pipeline.replace(NettyConstants.TIMEOUT_HANDLER, NettyConstants.TIMEOUT_HANDLER,
                    new ImapIdleStateHandler(idleSeconds));
                pipeline.replace(NettyConstants.REQUEST_DECODER, NettyConstants.REQUEST_DECODER,
                    new MailroomRequestFrameDecoder(decoder, new MailroomStatusResponseFactory(),
                        (int) DEFAULT_IN_MEMORY_SIZE_LIMIT.asBytes(), limits.maxLiteralSize(), limits.maxLineLength()));
                pipeline.addBefore(NettyConstants.CORE_HANDLER, "mailroomConnectionGuard", new ConnectionGuard(loginTimeout));
                // last, so that every channel.close() meets it first
                pipeline.addLast(LingeringClose.NAME, new LingeringClose());
            }
        };
    }
}
