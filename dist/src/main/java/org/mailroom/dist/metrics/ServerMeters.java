package org.mailroom.dist.metrics;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.mailroom.imap.ImapObserver;
import org.mailroom.smtp.MailroomSmtpServer;
import org.mailroom.smtp.SmtpObserver;
import org.mailroom.smtp.TransactionLog;
import org.mailroom.smtp.outbound.OutboundObserver;
import org.mailroom.sorter.Category;
import org.mailroom.sorter.Decision;
import org.mailroom.sorter.SortObserver;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Mailroom's own meters, fed by the observer interfaces the smtp, imap and sorter modules expose (they know no
 * metrics library). Names as Prometheus shows them (Micrometer adds {@code _total}, {@code _seconds}):
 * <ul>
 * <li>{@code mailroom_smtp_messages_received_total{listener="mx|submission"}}: messages answered 2xx after DATA;
 * {@code mailroom_smtp_messages_refused_total{listener, reply="4xx|5xx"}} the others;</li>
 * <li>{@code mailroom_smtp_data_reply_seconds{listener}} (histogram): end of DATA to the reply;</li>
 * <li>{@code mailroom_sorter_messages_total{category="priority|inbox|spam", folder}}: delivered copies per decision;
 * {@code mailroom_sorter_decision_seconds} (histogram): one decision (rules and signals, parsing excluded);</li>
 * <li>{@code mailroom_outbound_recipients_total{result="delivered|deferred|bounced"}}: per recipient and attempt;
 * {@code mailroom_outbound_attempt_seconds} (histogram); {@code mailroom_outbound_queue_messages} (gauge);</li>
 * <li>{@code mailroom_imap_sessions} (gauge): open IMAP connections;
 * {@code mailroom_auth_failures_total{protocol="smtp|imap"}}: refused AUTH / LOGIN / AUTHENTICATE.</li>
 * </ul>
 * Every labelled counter is registered at zero up front, so a scrape shows every series from the start.
 */
public final class ServerMeters implements SmtpObserver, OutboundObserver, ImapObserver, SortObserver {
    private final MeterRegistry registry;
    /**
     * The SMTP meters of each listener, looked up once: registering by name and tags on every message (a builder, a
     * histogram configuration and a registry lookup each) was ~1 % of the CPU per message in {@code run-smtp.sh}.
     */
    private final Map<MailroomSmtpServer.Mode, SmtpMeters> smtp = new EnumMap<>(MailroomSmtpServer.Mode.class);
    /**
     * Delivered copies per category in the category's own folder, looked up once (every copy counts one); copies a
     * user rule files elsewhere are counted by name and tags ({@link #sorted}).
     */
    private final Map<Category, Counter> sortedToDefaultFolder = new EnumMap<>(Category.class);
    private final AtomicLong imapSessions = new AtomicLong();
    private final Counter smtpAuthFailures;
    private final Counter imapAuthFailures;
    private final Counter outboundDelivered;
    private final Counter outboundDeferred;
    private final Counter outboundBounced;
    private final Timer outboundAttempt;
    private final Timer sorterDecision;

    public ServerMeters(MeterRegistry registry) {
        this.registry = registry;
        for (MailroomSmtpServer.Mode mode : MailroomSmtpServer.Mode.values()) {
            String listener = TransactionLog.listenerName(mode);
            smtp.put(mode, new SmtpMeters(received(listener), refused(listener, "4xx"), refused(listener, "5xx"),
                dataReply(listener)));
        }
        for (Category category : Category.values()) {
            sortedToDefaultFolder.put(category, sortedCounter(tagOf(category), defaultFolder(category)));
        }
        smtpAuthFailures = authFailures("smtp");
        imapAuthFailures = authFailures("imap");
        outboundDelivered = outbound("delivered");
        outboundDeferred = outbound("deferred");
        outboundBounced = outbound("bounced");
        outboundAttempt = histogram("mailroom.outbound.attempt", "One delivery attempt of one queued message",
            Duration.ofMillis(1), Duration.ofMinutes(5)).register(registry);
        sorterDecision = histogram("mailroom.sorter.decision", "One sorter decision (rules and signals)",
            Duration.ofNanos(10_000), Duration.ofSeconds(10)).register(registry);
        Gauge.builder("mailroom.imap.sessions", imapSessions, AtomicLong::get)
            .description("Open IMAP connections").register(registry);
    }

    /** The outbound queue's size, asked at each scrape (a count in the store). */
    public void outboundQueue(Supplier<Number> pendingMessages) {
        Gauge.builder("mailroom.outbound.queue.messages", pendingMessages, size -> size.get().doubleValue())
            .description("Messages in the outbound queue with recipients still to deliver").strongReference(true)
            .register(registry);
    }

    @Override
    public void messageAnswered(MailroomSmtpServer.Mode mode, boolean accepted, int replyCode, Duration took) {
        SmtpMeters meters = smtp.get(mode);
        (accepted ? meters.received() : replyCode >= 500 ? meters.refused5xx() : meters.refused4xx()).increment();
        meters.dataReply().record(took);
    }

    @Override
    public void authFailed(MailroomSmtpServer.Mode listener) {
        smtpAuthFailures.increment();
    }

    @Override
    public void attempted(Duration took, int delivered, int deferred, int bounced) {
        outboundDelivered.increment(delivered);
        outboundDeferred.increment(deferred);
        outboundBounced.increment(bounced);
        outboundAttempt.record(took);
    }

    @Override
    public void sessionOpened() {
        imapSessions.incrementAndGet();
    }

    @Override
    public void sessionClosed() {
        imapSessions.updateAndGet(n -> Math.max(0, n - 1));
    }

    @Override
    public void loginFailed() {
        imapAuthFailures.increment();
    }

    @Override
    public void sorted(Decision decision, String folder, Duration took) {
        Category category = decision.category();
        (defaultFolder(category).equals(folder) ? sortedToDefaultFolder.get(category)
            : sortedCounter(tagOf(category), folder)).increment();
        sorterDecision.record(took);
    }

    /** One SMTP listener's meters (both submission ports share theirs: same tags). */
    private record SmtpMeters(Counter received, Counter refused4xx, Counter refused5xx, Timer dataReply) {
    }

    private static String defaultFolder(Category category) {
        return switch (category) {
            case PRIORITY -> "Priority";
            case SPAM -> "Spam";
            case INBOX -> "INBOX";
        };
    }

    private static String tagOf(Category category) {
        return category.name().toLowerCase(Locale.ROOT);
    }

    private Counter received(String listener) {
        return Counter.builder("mailroom.smtp.messages.received").tag("listener", listener)
            .description("Messages accepted (2xx after DATA)").register(registry);
    }

    private Counter refused(String listener, String reply) {
        return Counter.builder("mailroom.smtp.messages.refused").tag("listener", listener).tag("reply", reply)
            .description("Messages refused after DATA").register(registry);
    }

    private Timer dataReply(String listener) {
        return histogram("mailroom.smtp.data.reply", "End of DATA to the SMTP reply", Duration.ofMillis(1),
            Duration.ofMinutes(2)).tag("listener", listener).register(registry);
    }

    private Counter sortedCounter(String category, String folder) {
        return Counter.builder("mailroom.sorter.messages").tag("category", category).tag("folder", folder)
            .description("Delivered copies per sorter decision").register(registry);
    }

    private Counter authFailures(String protocol) {
        return Counter.builder("mailroom.auth.failures").tag("protocol", protocol)
            .description("Refused authentication attempts").register(registry);
    }

    private Counter outbound(String result) {
        return Counter.builder("mailroom.outbound.recipients").tag("result", result)
            .description("Recipients per outbound attempt result").register(registry);
    }

    private static Timer.Builder histogram(String name, String description, Duration min, Duration max) {
        return Timer.builder(name).description(description).publishPercentileHistogram()
            .minimumExpectedValue(min).maximumExpectedValue(max);
    }
}
