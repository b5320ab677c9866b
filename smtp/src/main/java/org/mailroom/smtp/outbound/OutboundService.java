package org.mailroom.smtp.outbound;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.mailroom.smtp.policy.DnsClient;
import org.mailroom.storage.queue.AttemptRecord;
import org.mailroom.storage.queue.DeliveryReply;
import org.mailroom.storage.queue.DeliveryScheduler;
import org.mailroom.storage.queue.OutboundQueue;
import org.mailroom.storage.queue.QueuedMessage;
import org.mailroom.storage.queue.QueuedRecipient;
import org.mailroom.storage.queue.RecipientOutcome;
import org.mailroom.storage.queue.RecipientState;
import org.mailroom.storage.schema.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outbound delivery: the queue, its Quartz schedule and the attempts it runs. {@link #enqueue} takes submitted
 * mail (committed before it returns); each scheduled attempt delivers the due recipients of one message
 * ({@link DeliveryAttempt}), records the outcome per recipient, reports bounces and the delay warning to the
 * sender ({@link BounceReporter}), and schedules the next attempt or, when every recipient is final, marks the
 * message completed: it stays listed with its attempt history for {@code historyRetention}, then an hourly purge
 * deletes it. The administrator's operations (retry now, bounce now, delete) are here too, so the CLI and the
 * running server share one meaning of them.
 */
public final class OutboundService implements Outbox, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboundService.class);
    /** Recipients due within this much of the attempt are taken along rather than given their own attempt. */
    private static final java.time.Duration DUE_SLACK = java.time.Duration.ofSeconds(1);

    private final OutboundQueue queue;
    private final DeliveryScheduler scheduler;
    private final OutboundSettings settings;
    private final DeliveryAttempt attempt;
    private final RetryDecision retry;
    private final BounceReporter reporter;
    private final OutboundSigner signer;
    private final Clock clock;
    private final OutboundObserver observer;

    private final ScheduledExecutorService purge = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "mailroom-outbound-purge");
        thread.setDaemon(true);
        return thread;
    });

    private OutboundService(Database database, OutboundSettings settings, DnsClient dns, LocalInbox localInbox,
                            OutboundSigner signer, Clock clock, OutboundObserver observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
        this.queue = new OutboundQueue(database);
        this.settings = settings;
        this.signer = Objects.requireNonNull(signer, "signer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.attempt = new DeliveryAttempt(new MxRouter(dns, new Random()), new SmtpTransfer(settings), settings);
        this.retry = new RetryDecision(settings.retrySchedule(), settings.maxLifetime());
        this.reporter = new BounceReporter(settings.heloName(), localInbox, this, clock);
        this.scheduler = DeliveryScheduler.open(database, settings.threads(), this::attemptDelivery);
    }

    /** Opens the queue and its schedule over the database; {@link #start} runs them. */
    public static OutboundService open(Database database, OutboundSettings settings, DnsClient dns,
                                       LocalInbox localInbox, OutboundSigner signer, Clock clock) {
        return new OutboundService(Objects.requireNonNull(database, "database"), Objects.requireNonNull(settings),
            Objects.requireNonNull(dns, "dns"), Objects.requireNonNull(localInbox, "localInbox"), signer, clock,
            OutboundObserver.NONE);
    }

    /** As the other {@code open}, telling {@code observer} of every attempt (for metrics). */
    public static OutboundService open(Database database, OutboundSettings settings, DnsClient dns,
                                       LocalInbox localInbox, OutboundSigner signer, Clock clock,
                                       OutboundObserver observer) {
        return new OutboundService(Objects.requireNonNull(database, "database"), Objects.requireNonNull(settings),
            Objects.requireNonNull(dns, "dns"), Objects.requireNonNull(localInbox, "localInbox"), signer, clock,
            observer);
    }

    /**
     * Makes sure every pending message has a scheduled attempt (a crash between a queue commit and its
     * scheduling leaves one without), then starts attempting. Times missed while stopped fire at once.
     */
    public void start() {
        int rescheduled = 0;
        for (long id : queue.pendingMessageIds()) {
            if (!scheduler.isScheduled(id)) {
                queue.find(id).flatMap(QueuedMessage::nextAttemptAt)
                    .ifPresent(when -> scheduler.schedule(id, when));
                rescheduled++;
            }
        }
        if (rescheduled > 0) {
            LOG.info("Outbound queue: scheduled {} pending message(s) that had no attempt scheduled", rescheduled);
        }
        scheduler.start();
        // Hourly is plenty for a retention counted in days; a short retention (tests) is purged at its own pace.
        long every = Math.max(1, Math.min(3600, settings.historyRetention().getSeconds() / 2));
        purge.scheduleWithFixedDelay(this::purgeHistory, 0, every, TimeUnit.SECONDS);
        LOG.info("Outbound delivery started ({} attempts at once{})", settings.threads(),
            settings.smarthost().map(s -> ", all mail via smarthost " + s).orElse(""));
    }

    @Override
    public long enqueue(String sender, List<String> recipients, byte[] message) {
        long id = queue.enqueue(sender, recipients, message, clock.instant());
        scheduler.schedule(id, clock.instant());
        LOG.info("queued message {}: from <{}> to {} ({} bytes)", id, sender, recipients, message.length);
        return id;
    }

    public OutboundQueue queue() {
        return queue;
    }

    /** Messages with recipients still pending, oldest first. */
    public List<QueuedMessage> list(int limit) {
        return queue.list(limit);
    }

    /** Pending messages and the completed ones still kept as history, oldest first. */
    public List<QueuedMessage> listWithHistory(int limit) {
        return queue.list(limit, true);
    }

    public Optional<QueuedMessage> find(long id) {
        return queue.find(id);
    }

    public List<AttemptRecord> history(long id) {
        return queue.history(id);
    }

    /** Attempts the pending recipients now; false if the message has none. */
    public boolean retryNow(long id) {
        Instant now = clock.instant();
        if (!queue.reschedule(id, now)) {
            return false;
        }
        scheduler.schedule(id, now);
        return true;
    }

    /** Gives up on every pending recipient now: bounced, reported to the sender, removed. False if none. */
    public boolean bounceNow(long id) {
        Optional<QueuedMessage> found = queue.find(id);
        if (found.isEmpty() || found.get().pending().isEmpty()) {
            return false;
        }
        QueuedMessage message = found.get();
        Instant now = clock.instant();
        DeliveryReply reply = new DeliveryReply(550, "5.0.0", "delivery cancelled by the postmaster");
        List<RecipientOutcome> outcomes = new ArrayList<>();
        List<DsnMessage.Entry> entries = new ArrayList<>();
        for (QueuedRecipient recipient : message.pending()) {
            outcomes.add(new RecipientOutcome(recipient.position(), RecipientState.BOUNCED, Optional.empty(), reply,
                Optional.empty()));
            entries.add(new DsnMessage.Entry(recipient.address(), recipient.lastReply().orElse(reply), Optional.empty(), now));
        }
        queue.record(id, outcomes, now);
        reporter.report(DsnMessage.Kind.FAILED, message, queue.content(id).orElse(new byte[0]), entries, Optional.empty());
        scheduler.unschedule(id);
        queue.complete(id, now);
        return true;
    }

    /** Removes the message without telling anyone; false if there was none. */
    public boolean delete(long id) {
        scheduler.unschedule(id);
        return queue.delete(id);
    }

    /**
     * One scheduled attempt (Quartz thread; never two at once for one message). An attempt that fails
     * unexpectedly (the database timed out, a signer threw) is tried again after the first retry delay: its
     * one-shot trigger has fired, and without a new one the message would wait for the next server start.
     */
    void attemptDelivery(long id) {
        try {
            attemptOnce(id);
        } catch (RuntimeException e) {
            Instant retry = clock.instant().plus(settings.retrySchedule().delayAfter(1));
            LOG.error("queued message {}: attempt failed ({}); trying again at {}", id, e.toString(), retry, e);
            try {
                scheduler.schedule(id, retry);
            } catch (RuntimeException again) {
                LOG.error("queued message {}: cannot reschedule ({}); it is scheduled again at the next start", id,
                    again.toString());
            }
        }
    }

    private void attemptOnce(long id) {
        Optional<QueuedMessage> found = queue.find(id);
        Optional<byte[]> content = queue.content(id);
        if (found.isEmpty() || content.isEmpty()) {
            return;
        }
        QueuedMessage message = found.get();
        if (message.isCompleted()) {
            return;
        }
        Instant now = clock.instant();
        List<QueuedRecipient> due = message.pending().stream()
            .filter(r -> r.nextAttemptAt().map(t -> !t.isAfter(now.plus(DUE_SLACK))).orElse(true))
            .toList();
        if (!due.isEmpty()) {
            deliver(message, content.get(), due, now);
        }
        QueuedMessage after = queue.find(id).orElse(null);
        if (after == null) {
            return;
        }
        Optional<Instant> next = after.nextAttemptAt();
        if (next.isPresent()) {
            scheduler.schedule(id, next.get());
        } else {
            // Every recipient is delivered or bounced (and reported): no longer delivered, kept as history for a while.
            queue.complete(id, clock.instant());
            LOG.info("queued message {}: done, kept as history for {}", id, settings.historyRetention());
        }
    }

    private void deliver(QueuedMessage message, byte[] content, List<QueuedRecipient> due, Instant now) {
        long started = System.nanoTime();
        // Signed lazily, per form sent: as queued, or converted to 7 bit for a remote without 8BITMIME.
        Map<String, DeliveryAttempt.Answer> answers = attempt.deliver(message.id(), message.sender(),
            due.stream().map(QueuedRecipient::address).toList(), new OutgoingMessage(content, signer));
        Instant done = clock.instant();
        List<RecipientOutcome> outcomes = new ArrayList<>();
        List<DsnMessage.Entry> bounced = new ArrayList<>();
        List<DsnMessage.Entry> deferred = new ArrayList<>();
        for (QueuedRecipient recipient : due) {
            DeliveryAttempt.Answer answer = answers.get(recipient.address());
            RecipientOutcome outcome = retry.decide(recipient.position(), answer.reply(), answer.host(),
                recipient.attempts(), message.createdAt(), done);
            outcomes.add(outcome);
            DsnMessage.Entry entry = new DsnMessage.Entry(recipient.address(), answer.reply(), answer.host(), done);
            if (outcome.state() == RecipientState.BOUNCED) {
                bounced.add(entry);
            } else if (outcome.state() == RecipientState.DEFERRED) {
                deferred.add(entry);
            }
        }
        queue.record(message.id(), outcomes, done);
        AttemptReport.report(message.id(), content, due.stream().map(QueuedRecipient::address).toList(), outcomes,
            java.time.Duration.ofNanos(System.nanoTime() - started), observer);
        reporter.report(DsnMessage.Kind.FAILED, message, content, bounced, Optional.empty());
        if (!deferred.isEmpty() && settings.delayWarningAfter().isPresent() && !message.delayWarned()
            && !message.hasNullSender()
            && !done.isBefore(message.createdAt().plus(settings.delayWarningAfter().get()))
            && queue.markDelayWarned(message.id())) {
            reporter.report(DsnMessage.Kind.DELAYED, message, content, deferred,
                Optional.of(retry.expiry(message.createdAt())));
        }
    }

    /** Deletes the completed messages older than the history retention; how many. */
    int purgeHistory() {
        try {
            int purged = queue.purgeCompletedBefore(clock.instant().minus(settings.historyRetention()));
            if (purged > 0) {
                LOG.info("Outbound queue: purged {} completed message(s) older than {}", purged,
                    settings.historyRetention());
            }
            return purged;
        } catch (RuntimeException e) {
            // The next run tries again; a purge that fails now costs only disk space.
            LOG.warn("Outbound queue: purging the history failed: {}", e.toString());
            return 0;
        }
    }

    /** Stops attempting (waits for running attempts); the queue and its schedule stay in the database. */
    @Override
    public void close() {
        purge.shutdownNow();
        scheduler.close();
        attempt.close();
    }
}
