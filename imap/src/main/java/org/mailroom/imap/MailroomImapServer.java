package org.mailroom.imap;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.james.imap.encode.main.DefaultImapEncoderFactory;
import org.apache.james.imap.main.DefaultImapDecoderFactory;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.NoopGaugeRegistry;
import org.mailroom.storage.mailbox.MailboxStore;
import org.mailroom.tls.ServerTls;

import io.netty.channel.epoll.EpollServerSocketChannel;

/**
 * One running IMAP listener (STARTTLS or implicit TLS) serving the Mailroom store through James's IMAP processors.
 */
public final class MailroomImapServer implements AutoCloseable {

    /** How a listener protects the connection. */
    public enum Security {
        /** Plain IMAP that offers STARTTLS; LOGIN and AUTHENTICATE wait for TLS unless plaintext is allowed. */
        STARTTLS,
        /** TLS from the first byte (IMAPS). */
        IMPLICIT_TLS
    }

    /**
     * What one listener needs: where to bind (port 0 picks a free port), how it is secured, the name it greets
     * with, whether LOGIN may be used before TLS — allowed on a loopback address only —, its resource limits
     * ({@link ImapLimits#defaults()}), the names of the default folders ({@link FolderNames#defaults()}) and
     * whether a login creates them (always, except for protocol test suites whose scripts assume a fresh
     * INBOX-only account: {@link #withDefaultFoldersCreated}).
     */
    public record Settings(InetAddress bindAddress, int port, Security security, String hostname,
                           boolean plaintextLoginAllowed, ImapLimits limits, FolderNames folders,
                           boolean defaultFoldersCreated) {
        public Settings {
            Objects.requireNonNull(bindAddress, "bindAddress");
            Objects.requireNonNull(security, "security");
            Objects.requireNonNull(hostname, "hostname");
            Objects.requireNonNull(limits, "limits");
            Objects.requireNonNull(folders, "folders");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            if (plaintextLoginAllowed && !bindAddress.isLoopbackAddress()) {
                throw new IllegalArgumentException(
                    "plaintext login may only be allowed on a loopback address, not " + bindAddress.getHostAddress());
            }
        }

        public Settings(InetAddress bindAddress, int port, Security security, String hostname,
                        boolean plaintextLoginAllowed) {
            this(bindAddress, port, security, hostname, plaintextLoginAllowed, ImapLimits.defaults(), FolderNames.defaults(),
                true);
        }

        public static Settings startTls(InetAddress bindAddress, int port, String hostname) {
            return new Settings(bindAddress, port, Security.STARTTLS, hostname, false);
        }

        public static Settings implicitTls(InetAddress bindAddress, int port, String hostname) {
            return new Settings(bindAddress, port, Security.IMPLICIT_TLS, hostname, false);
        }

        public Settings withPlaintextLoginAllowed(boolean allowed) {
            return new Settings(bindAddress, port, security, hostname, allowed, limits, folders, defaultFoldersCreated);
        }

        public Settings withLimits(ImapLimits value) {
            return new Settings(bindAddress, port, security, hostname, plaintextLoginAllowed, value, folders,
                defaultFoldersCreated);
        }

        public Settings withFolders(FolderNames value) {
            return new Settings(bindAddress, port, security, hostname, plaintextLoginAllowed, limits, value,
                defaultFoldersCreated);
        }

        /** With {@code false} a login only makes sure INBOX exists (the folder names still type LIST answers). */
        public Settings withDefaultFoldersCreated(boolean value) {
            return new Settings(bindAddress, port, security, hostname, plaintextLoginAllowed, limits, folders, value);
        }
    }

    // James registers every server as a JMX bean under its jmxName: two listeners (or a restarted one) need
    // distinct names in the same JVM.
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final SslContextImapServer server;
    private final Settings settings;
    private final ImapEventLoops ownLoops;

    private MailroomImapServer(SslContextImapServer server, Settings settings, ImapEventLoops ownLoops) {
        this.server = server;
        this.settings = settings;
        this.ownLoops = ownLoops;
    }

    /** Builds James's decoder, processors and encoder over {@code store}, binds the listener and returns it running. */
    public static MailroomImapServer start(MailboxStore store, ServerTls tls, MetricFactory metrics, Settings settings) {
        return start(store, tls, metrics, settings, new LoginThrottle(settings.limits().throttle(), Clock.systemUTC()));
    }

    /**
     * As {@link #start(MailboxStore, ServerTls, MetricFactory, Settings)}, counting failed logins in
     * {@code throttle}: give the STARTTLS and the implicit-TLS listener the same one so that a guesser cannot
     * double its rate by using both ports ({@code settings.limits().throttle()} is then not used).
     */
    public static MailroomImapServer start(MailboxStore store, ServerTls tls, MetricFactory metrics, Settings settings,
                                           LoginThrottle throttle) {
        return start(store, tls, metrics, settings, throttle, ImapObserver.NONE);
    }

    /**
     * As the other {@code start}s, telling {@code observer} of sessions and failed logins (for metrics), on event
     * loops of its own ({@link ImapEventLoops#create()}, stopped by {@link #close()}).
     */
    public static MailroomImapServer start(MailboxStore store, ServerTls tls, MetricFactory metrics, Settings settings,
                                           LoginThrottle throttle, ImapObserver observer) {
        ImapEventLoops loops = ImapEventLoops.create();
        try {
            return start(store, tls, metrics, settings, throttle, observer, loops, loops);
        } catch (RuntimeException e) {
            loops.close();
            throw e;
        }
    }

    /**
     * As the other {@code start}s, serving its connections on {@code loops}, which the caller may share between
     * listeners and closes after them ({@link #close()} leaves them running).
     */
    public static MailroomImapServer start(MailboxStore store, ServerTls tls, MetricFactory metrics, Settings settings,
                                           LoginThrottle throttle, ImapObserver observer, ImapEventLoops loops) {
        return start(store, tls, metrics, settings, throttle, observer, loops, null);
    }

    private static MailroomImapServer start(MailboxStore store, ServerTls tls, MetricFactory metrics,
                                            Settings settings, LoginThrottle throttle, ImapObserver observer,
                                            ImapEventLoops loops, ImapEventLoops ownLoops) {
        Objects.requireNonNull(loops, "loops");
        Objects.requireNonNull(observer, "observer");
        Objects.requireNonNull(throttle, "throttle");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(metrics, "metrics");
        ImapLoggingContext.withoutHostLookup();
        SslContextImapServer server = new SslContextImapServer(
            DefaultImapDecoderFactory.createDecoder(),
            new MailroomImapEncoder(new DefaultImapEncoderFactory().buildImapEncoder()),
            MailroomProcessors.create(
                store.mailboxManager(),
                store.eventBus(),
                store.subscriptionManager(),
                store.quotaManager(),
                store.quotaRootResolver(),
                metrics,
                settings.defaultFoldersCreated() ? new DefaultFolders(settings.folders())
                    : DefaultFolders.inboxOnly(settings.folders()),
                throttle, observer),
            new ObservedImapMetrics(metrics, observer),
            new NoopGaugeRegistry(),
            tls,
            settings.security() == Security.IMPLICIT_TLS,
            settings.limits(),
            loops);
        try {
            server.configure(configuration(settings));
            server.init();
        } catch (Exception e) {
            try {
                server.destroy();
            } catch (RuntimeException cleanup) {
                // James's destroy fails when init did not get as far as registering its MBean (a port in use):
                // the bind failure is the news, not this.
                e.addSuppressed(cleanup);
            }
            throw new ImapStartupException("IMAP listener on " + settings.bindAddress().getHostAddress() + ":"
                + settings.port() + " failed to start: " + e.getMessage(), e);
        }
        return new MailroomImapServer(server, settings, ownLoops);
    }

    /** The keys James's {@code IMAPServer.configure} reads, filled from {@code settings}. */
    private static BaseHierarchicalConfiguration configuration(Settings settings) {
        BaseHierarchicalConfiguration config = new BaseHierarchicalConfiguration();
        // James splits "bind" on ':' so an IPv6 literal cannot be expressed here (James 3.8.1 limitation).
        if (settings.bindAddress().getHostAddress().contains(":")) {
            throw new IllegalArgumentException("James 3.8.1 cannot bind an IPv6 literal: "
                + settings.bindAddress().getHostAddress());
        }
        config.addProperty("bind", settings.bindAddress().getHostAddress() + ":" + settings.port());
        config.addProperty("jmxName", "mailroom-imap-" + settings.security().name().toLowerCase()
            + "-" + INSTANCES.incrementAndGet());
        config.addProperty("helloName[@autodetect]", false);
        config.addProperty("helloName", settings.hostname());
        // requireSSL makes James answer CAPABILITY with LOGINDISABLED and refuse LOGIN/AUTHENTICATE until TLS.
        config.addProperty("auth.requireSSL", !settings.plaintextLoginAllowed());
        config.addProperty("auth.plainAuthEnabled", true);
        ImapLimits limits = settings.limits();
        // COMPRESS=DEFLATE: offered and run by Mailroom's DeflateCompressProcessor (James's JZlib inflater stalled mbsync).
        config.addProperty("compress", true);
        config.addProperty("maxLineLength", limits.maxLineLength());
        config.addProperty("literalSizeLimit", String.valueOf(limits.maxLiteralSize()));
        if (limits.connectionsPerIp() > 0) {
            config.addProperty("connectionLimitPerIP", limits.connectionsPerIp());
        }
        if (limits.maxConnections() > 0) {
            config.addProperty("connectionLimit", limits.maxConnections());
        }
        // James's own folder provisioning (Outbox, Spam by its fixed name...) stays off: DefaultFolders does it.
        config.addProperty("provisionDefaultMailboxes", false);
        return config;
    }

    /** The port actually bound (the chosen one when the settings asked for 0). */
    public int port() {
        return server.getListenAddresses().get(0).getPort();
    }

    public InetSocketAddress address() {
        return server.getListenAddresses().get(0);
    }

    public Settings settings() {
        return settings;
    }

    /** Whether the listener runs on Netty's native epoll transport (else Java NIO). */
    public boolean nativeTransport() {
        return server.listeningChannels().stream()
            .allMatch(listener -> listener instanceof EpollServerSocketChannel);
    }

    /**
     * Closes the listening socket and open connections and releases James's threads, and the event loops when they
     * are this listener's own.
     */
    @Override
    public void close() {
        server.destroy();
        if (ownLoops != null) {
            ownLoops.close();
        }
    }
}
