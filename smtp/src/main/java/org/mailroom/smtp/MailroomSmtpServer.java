package org.mailroom.smtp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.handler.CommandDispatcher;
import org.apache.james.protocols.api.handler.CommandHandlerResultLogger;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.netty.AbstractChannelPipelineFactory;
import org.apache.james.protocols.netty.AllButStartTlsLineChannelHandlerFactory;
import org.apache.james.protocols.netty.ChannelHandlerFactory;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.LineDelimiterBasedChannelHandlerFactory;
import org.apache.james.protocols.smtp.SMTPProtocolHandlerChain;
import org.apache.james.protocols.smtp.core.DataLineMessageHookHandler;
import org.apache.james.protocols.smtp.core.ExpnCmdHandler;
import org.apache.james.protocols.smtp.core.HelpCmdHandler;
import org.apache.james.protocols.smtp.core.NoopCmdHandler;
import org.apache.james.protocols.smtp.core.QuitCmdHandler;
import org.apache.james.protocols.smtp.core.RsetCmdHandler;
import org.apache.james.protocols.smtp.core.UnknownCmdHandler;
import org.apache.james.protocols.smtp.core.VrfyCmdHandler;
import org.apache.james.protocols.smtp.core.WelcomeMessageHandler;
import org.apache.james.protocols.smtp.core.esmtp.StartTlsCmdHandler;
import org.mailroom.smtp.delivery.LocalDelivery;
import org.mailroom.smtp.delivery.LocalRecipients;
import org.mailroom.smtp.delivery.SpoolingDataCmdHandler;
import org.mailroom.smtp.policy.AuthFailureThrottle;
import org.mailroom.smtp.policy.AuthOnlyOverTls;
import org.mailroom.smtp.policy.BadCommandLimit;
import org.mailroom.smtp.policy.CrlfGuard;
import org.mailroom.smtp.policy.DnsChecks;
import org.mailroom.smtp.policy.DnsClient;
import org.mailroom.smtp.policy.DnsblCheck;
import org.mailroom.smtp.policy.MessageSizeLimit;
import org.mailroom.smtp.policy.RecipientLimit;
import org.mailroom.smtp.policy.RecipientPolicy;
import org.mailroom.smtp.policy.SenderPolicy;
import org.mailroom.smtp.policy.SpfCheck;
import org.mailroom.smtp.submission.ObservedAuth;
import org.mailroom.smtp.submission.PasswordCheck;
import org.mailroom.storage.user.AliasRepository;
import org.mailroom.storage.user.UserRepository;
import org.mailroom.tls.ServerTls;

/**
 * One running SMTP listener — inbound MX, submission with STARTTLS, or submission over implicit TLS — built from
 * James's SMTP command handlers and Mailroom's policies, assembled in {@link #handlers}.
 */
public final class MailroomSmtpServer implements AutoCloseable {

    /** What a listener is for. */
    public enum Mode {
        /** Port 25: mail from the internet for local users; STARTTLS offered when a certificate is configured; no AUTH. */
        INBOUND,
        /** Port 587: authenticated users submit mail; STARTTLS, and AUTH only after it. */
        SUBMISSION_STARTTLS,
        /** Port 465: submission over TLS from the first byte. */
        SUBMISSION_IMPLICIT_TLS
    }

    /** Per-message limits. */
    public record Limits(long maxMessageSize, int maxRecipients, int maxConnectionsPerIp, int maxBadCommands,
                         int idleTimeoutSeconds) {
        public Limits {
            if (maxConnectionsPerIp < 1 || maxBadCommands < 1 || idleTimeoutSeconds < 1) {
                throw new IllegalArgumentException("limits must be positive: " + maxConnectionsPerIp + ", "
                    + maxBadCommands + ", " + idleTimeoutSeconds);
            }
        }

        /** RFC 5321 4.5.3.2 asks for at least 5 minutes of patience per command and DATA block. */
        public static Limits defaults() {
            return new Limits(25L * 1024 * 1024, 100, 20, 10, 300);
        }

        public Limits withMaxMessageSize(long bytes) {
            return new Limits(bytes, maxRecipients, maxConnectionsPerIp, maxBadCommands, idleTimeoutSeconds);
        }

        public Limits withMaxRecipients(int count) {
            return new Limits(maxMessageSize, count, maxConnectionsPerIp, maxBadCommands, idleTimeoutSeconds);
        }

        public Limits withMaxConnectionsPerIp(int count) {
            return new Limits(maxMessageSize, maxRecipients, count, maxBadCommands, idleTimeoutSeconds);
        }
    }

    /**
     * Where and how one listener runs; port 0 picks a free port. {@code ioWorkers} Netty I/O threads read and write;
     * {@code workers} threads run the SMTP commands and hooks, the commit before 250 included (at most that many
     * sessions of this listener run a command at once). {@code dnsChecks} (DNSBL, SPF, resolver) apply to the
     * inbound listener only.
     */
    public record Settings(InetAddress bindAddress, int port, Mode mode, String hostname, Limits limits,
                           int ioWorkers, int workers, DnsChecks dnsChecks) {
        public Settings {
            Objects.requireNonNull(dnsChecks, "dnsChecks");
            Objects.requireNonNull(bindAddress, "bindAddress");
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(hostname, "hostname");
            Objects.requireNonNull(limits, "limits");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            if (ioWorkers < 1 || workers < 1) {
                throw new IllegalArgumentException("ioWorkers and workers must be at least 1: " + ioWorkers + ", "
                    + workers);
            }
        }

        /** Without DNS checks given: {@link DnsChecks#defaults()}. */
        public Settings(InetAddress bindAddress, int port, Mode mode, String hostname, Limits limits, int ioWorkers,
                        int workers) {
            this(bindAddress, port, mode, hostname, limits, ioWorkers, workers, DnsChecks.defaults());
        }

        /** Default threads: 2 I/O threads per core (James's default) and {@link #DEFAULT_WORKERS} workers. */
        public static Settings of(InetAddress bindAddress, int port, Mode mode, String hostname) {
            return new Settings(bindAddress, port, mode, hostname, Limits.defaults(),
                Runtime.getRuntime().availableProcessors() * 2, DEFAULT_WORKERS);
        }

        public Settings withLimits(Limits limits) {
            return new Settings(bindAddress, port, mode, hostname, limits, ioWorkers, workers, dnsChecks);
        }

        public Settings withDnsChecks(DnsChecks dnsChecks) {
            return new Settings(bindAddress, port, mode, hostname, limits, ioWorkers, workers, dnsChecks);
        }

        public Settings withWorkers(int workers) {
            return new Settings(bindAddress, port, mode, hostname, limits, ioWorkers, workers, dnsChecks);
        }
    }

    /** What the handlers need from the rest of Mailroom; shared by all listeners. */
    public record Services(UserRepository users, AliasRepository aliases, LocalRecipients recipients,
                           LocalDelivery delivery, AuthFailureThrottle authThrottle, MetricFactory metrics,
                           Path spool, SmtpObserver observer) {
        public Services {
            Objects.requireNonNull(observer, "observer");
            Objects.requireNonNull(authThrottle, "authThrottle");
            Objects.requireNonNull(spool, "spool");
            Objects.requireNonNull(users, "users");
            Objects.requireNonNull(aliases, "aliases");
            Objects.requireNonNull(recipients, "recipients");
            Objects.requireNonNull(delivery, "delivery");
            Objects.requireNonNull(metrics, "metrics");
        }

        /** Without an observer: {@link SmtpObserver#NONE}. */
        public Services(UserRepository users, AliasRepository aliases, LocalRecipients recipients,
                        LocalDelivery delivery, AuthFailureThrottle authThrottle, MetricFactory metrics, Path spool) {
            this(users, aliases, recipients, delivery, authThrottle, metrics, spool, SmtpObserver.NONE);
        }
    }

    /**
     * Worker threads per listener: commits are disk-bound, not CPU-bound, so more of them than cores lets Derby
     * share one log flush among concurrent commits.
     */
    public static final int DEFAULT_WORKERS = 16;

    private final OffloadingNettyServer server;
    private final Settings settings;

    private MailroomSmtpServer(OffloadingNettyServer server, Settings settings) {
        this.server = server;
        this.settings = settings;
    }

    /**
     * Starts a listener. {@code tls} is required for submission; for inbound it may be null (then STARTTLS is not
     * offered).
     */
    public static MailroomSmtpServer start(Settings settings, ServerTls tls, Services services) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(services, "services");
        if (tls == null && settings.mode() != Mode.INBOUND) {
            throw new IllegalArgumentException("submission listeners need a TLS context");
        }
        String name = settings.mode().name().toLowerCase() + " SMTP listener on "
            + settings.bindAddress().getHostAddress() + ":" + settings.port();
        OffloadingNettyServer server;
        try {
            Files.createDirectories(services.spool());
            SMTPProtocolHandlerChain chain = new WiredSmtpChain(services.metrics());
            chain.addAll(handlers(settings, tls != null, services));
            chain.wireExtensibleHandlers();
            Encryption encryption = tls == null ? null
                : settings.mode() == Mode.SUBMISSION_IMPLICIT_TLS ? tls.implicitTls()
                : tls.startTls();
            ChannelHandlerFactory framing = encryption != null && encryption.isStartTLS()
                // Refuses commands pipelined behind STARTTLS (CVE-2011-0411-style injection).
                ? new AllButStartTlsLineChannelHandlerFactory("starttls", AbstractChannelPipelineFactory.MAX_LINE_LENGTH)
                : new LineDelimiterBasedChannelHandlerFactory(AbstractChannelPipelineFactory.MAX_LINE_LENGTH);
            server = new OffloadingNettyServer(
                new MailroomSmtpProtocol(chain, new MailroomSmtpConfiguration(settings)), encryption, framing,
                settings.limits().maxConnectionsPerIp(), settings.workers(), settings.ioWorkers(),
                settings.limits().idleTimeoutSeconds(), new InetSocketAddress(settings.bindAddress(), settings.port()),
                "smtp-" + settings.mode().name().toLowerCase().replace('_', '-'));
            server.bind();
        } catch (Exception e) {
            throw new SmtpStartupException(name + " failed to start: " + e.getMessage(), e);
        }
        return new MailroomSmtpServer(server, settings);
    }

    /**
     * The SMTP handler chain, in order. Hooks of one kind run in the order listed; the data line filters too, so
     * the CRLF guard sees every DATA line before anything else does and delivery comes last.
     */
    static List<ProtocolHandler> handlers(Settings settings, boolean tlsAvailable, Services services) {
        boolean submission = settings.mode() != Mode.INBOUND;
        List<ProtocolHandler> chain = new ArrayList<>();
        // James's command handlers (no PostmasterAbuseRcptHook: it accepts postmaster@ any domain, an open relay).
        chain.add(new CommandDispatcher<>());
        chain.add(new WelcomeMessageHandler());
        chain.add(new HelloReply.Ehlo(services.metrics()));
        chain.add(new HelloReply.Helo(services.metrics()));
        chain.add(new MailroomMailCmdHandler(services.metrics()));
        chain.add(new MailroomRcptCmdHandler(services.metrics()));
        chain.add(new SpoolingDataCmdHandler(services.metrics(), services.spool()));
        chain.add(new RsetCmdHandler());
        chain.add(new NoopCmdHandler());
        chain.add(new QuitCmdHandler(services.metrics()));
        chain.add(new HelpCmdHandler());
        chain.add(new VrfyCmdHandler());
        chain.add(new ExpnCmdHandler());
        if (tlsAvailable && settings.mode() != Mode.SUBMISSION_IMPLICIT_TLS) {
            chain.add(new StartTlsCmdHandler());
        }
        chain.add(new UnknownCmdHandler(services.metrics()));
        chain.add(new CommandHandlerResultLogger());

        // Any connection
        chain.add(new BadCommandLimit(settings.limits().maxBadCommands()));

        // AUTH (submission only; adding an AuthHook makes James add its AUTH command handler)
        if (submission) {
            chain.add(new AuthOnlyOverTls());
            chain.add(new ObservedAuth(new PasswordCheck(services.users(), services.authThrottle()), settings.mode(),
                services.observer()));
        }
        // MAIL FROM
        if (submission) {
            chain.add(new SenderPolicy(services.aliases()));
        }
        chain.add(new MessageSizeLimit(settings.limits().maxMessageSize()));
        DnsChecks dnsChecks = settings.dnsChecks();
        DnsClient dns = submission || (!dnsChecks.spf() && dnsChecks.dnsbl().isEmpty()) ? null
            : DnsClient.of(dnsChecks.dns());
        if (!submission && dnsChecks.spf()) {
            chain.add(new SpfCheck(dns, dnsChecks.lookupLocalClients()));
        }
        // RCPT TO
        chain.add(new RecipientLimit(settings.limits().maxRecipients()));
        if (!submission && !dnsChecks.dnsbl().isEmpty()) {
            chain.add(new DnsblCheck(dnsChecks.dnsbl(), dns, dnsChecks.lookupLocalClients()));
        }
        // Remote recipients only on submission: the MX listener never relays, whatever the delivery can do.
        chain.add(new RecipientPolicy(services.recipients(), submission && services.delivery().acceptsRemote()));
        // DATA lines, then the message
        chain.add(new CrlfGuard());
        chain.add(new DataLineMessageHookHandler());
        // First message hook (notes the message's facts) and result hook (logs the reply, counts for metrics).
        chain.add(new TransactionLog(settings.mode(), services.observer()));
        chain.add(services.delivery());
        return chain;
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

    /** Closes the listening socket and open connections and releases Netty's threads. */
    @Override
    public void close() {
        server.unbind();
    }
}
