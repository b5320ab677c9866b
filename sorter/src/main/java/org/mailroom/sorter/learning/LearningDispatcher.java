package org.mailroom.sorter.learning;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.message.MailParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what users do in IMAP into training: moves into or out of Spam and the junk keywords train the spam
 * filter; moves into or out of Priority, {@code $Important} and {@code \Flagged} label importance. Clearing a
 * keyword ({@code UNMARKED_JUNK}, {@code UNMARKED_NOT_JUNK}, {@code UNFLAGGED}) teaches nothing: people unflag
 * mail they have dealt with, which says nothing about whether it mattered.
 *
 * <p>The store calls {@link #onUserAction} on its own thread (inside the IMAP command), which only queues the action:
 * the work (reading the message, training) runs on one background thread with a bounded queue, and actions beyond
 * it are dropped with a warning rather than slowing IMAP down. Each run of that thread lets actions gather for
 * {@link #ACTION_LINGER}, then takes every action waiting (up to {@link #ACTION_BATCH}), in the order they happened: it reads each message once (the two actions of a move
 * from Priority to Spam share the read), trains the spam filter action by action, and hands the batch's importance
 * labels over at once, so the importance weights are written once per batch, not once per label. Every action
 * queued is learned once; one whose message is gone by then (expunged meanwhile) teaches nothing.
 *
 * <p>Arrivals (one per delivered copy, the most frequent work by far) wait in their own bounded queue and are
 * recorded in batches: each run of the background thread lets them gather for {@link #ARRIVAL_LINGER}, then takes
 * every arrival waiting (up to {@link #ARRIVAL_BATCH}) and hands them over at once, so the store commits once per batch rather than several
 * times per message, and the thread keeps up with many SMTP sessions. An arrival is only ever queued after its
 * delivery committed; {@link #close} records what is still waiting before it returns.
 */
public final class LearningDispatcher implements UserActionListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LearningDispatcher.class);

    private final MessageContentLookup lookup;
    private final SpamLearning spam;
    private final ImportanceLabels importance;
    private final ArrivalRecording arrivals;
    private final SentLearning sentLearning;
    private final MailParser parser = new MailParser();
    private final ThreadPoolExecutor executor;
    /** Most arrivals recorded in one batch (one transaction): bounds the work one commit can lose or hold up. */
    static final int ARRIVAL_BATCH = 256;
    private final ArrayBlockingQueue<IncomingMail> arrivalQueue;
    /** A drain of {@link #arrivalQueue} is queued on the executor and has not started taking arrivals yet. */
    private final AtomicBoolean drainQueued = new AtomicBoolean();
    /** Most user actions learned in one batch: bounds the parsed messages one batch holds until its labels. */
    static final int ACTION_BATCH = 64;
    private final ArrayBlockingQueue<UserAction> actionQueue;
    /** A drain of {@link #actionQueue} is queued on the executor and has not started taking actions yet. */
    private final AtomicBoolean actionDrainQueued = new AtomicBoolean();

    /** Learning from user actions only (arrivals and sent mail are not recorded). */
    public LearningDispatcher(MessageContentLookup lookup, SpamLearning spam, ImportanceLabels importance,
                              int queue) {
        this(lookup, spam, importance, mail -> { }, sent -> { }, queue);
    }

    public LearningDispatcher(MessageContentLookup lookup, SpamLearning spam, ImportanceLabels importance,
                              ArrivalRecording arrivals, SentLearning sentLearning, int queue) {
        this.arrivals = Objects.requireNonNull(arrivals, "arrivals");
        this.sentLearning = Objects.requireNonNull(sentLearning, "sentLearning");
        this.lookup = Objects.requireNonNull(lookup, "lookup");
        this.spam = Objects.requireNonNull(spam, "spam");
        this.importance = Objects.requireNonNull(importance, "importance");
        this.arrivalQueue = new ArrayBlockingQueue<>(queue);
        this.actionQueue = new ArrayBlockingQueue<>(queue);
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
            runnable -> {
                Thread thread = new Thread(runnable, "mailroom-learning");
                thread.setDaemon(true);
                return thread;
            }, new ThreadPoolExecutor.AbortPolicy());
    }

    @Override
    public void onUserAction(UserAction action) {
        if (verdict(action.kind()).isEmpty()) {
            return;
        }
        if (!actionQueue.offer(action)) {
            LOG.warn("learning queue full: {} by {} on {} not learned", action.kind(), action.user(),
                action.messageId());
            return;
        }
        queueDrain(actionDrainQueued, this::drainActions);
    }

    /**
     * A message was delivered to {@code mail.recipient()} (its delivery committed): remembered for importance, in
     * the background, batched with the other arrivals waiting.
     */
    public void received(IncomingMail mail) {
        if (!arrivalQueue.offer(mail)) {
            LOG.warn("learning queue full: arrival for {} not remembered", mail.recipient());
            return;
        }
        queueDrain(drainQueued, this::drainArrivals);
    }

    /** Queues {@code drain} on the background thread unless one is queued already and has not started taking. */
    private void queueDrain(AtomicBoolean queued, Runnable drain) {
        if (queued.compareAndSet(false, true)) {
            try {
                executor.execute(drain);
            } catch (RejectedExecutionException stopped) {
                // Closing (or the executor's queue is full): close() takes what is left; otherwise the next item
                // queues a drain again.
                queued.set(false);
            }
        }
    }

    /**
     * How long a drain lets user actions gather before taking them. Each batch ends with one write of the importance
     * weights (a transaction of every weight its labels changed, most of them the same from one label to the next:
     * the user's and the sender's features), and under a steady stream of flag changes from many sessions a drain
     * right away took one action at a time, so every label paid that write. Learning lags the user's STORE or MOVE by
     * this much more, which nothing can observe but the model's next decisions.
     */
    static final Duration ACTION_LINGER = Duration.ofMillis(200);

    /** Learns from every user action waiting, in batches of at most {@link #ACTION_BATCH}, in order. */
    private void drainActions() {
        lingerForMore(actionQueue, ACTION_BATCH, ACTION_LINGER);
        // Cleared before taking: an action queued from now on queues another drain, so none is left waiting.
        actionDrainQueued.set(false);
        List<UserAction> batch = new ArrayList<>(ACTION_BATCH);
        while (actionQueue.drainTo(batch, ACTION_BATCH) > 0) {
            learn(batch);
            batch.clear();
        }
    }

    /**
     * How long a drain lets arrivals gather before taking them. Without it a busy server drained after every one or
     * two arrivals: a transaction (and a commit) each, and the same user's contact and totals rows written again in
     * every one. Learning from an arrival happens after its 250 in any case; waiting this much longer turns dozens
     * of small transactions into one and writes each row once per batch.
     */
    static final Duration ARRIVAL_LINGER = Duration.ofMillis(500);

    /** Records every arrival waiting, in batches of at most {@link #ARRIVAL_BATCH}. */
    private void drainArrivals() {
        lingerForMore(arrivalQueue, ARRIVAL_BATCH, ARRIVAL_LINGER);
        // Cleared before taking: an arrival queued from now on queues another drain, so none is left waiting.
        drainQueued.set(false);
        List<IncomingMail> batch = new ArrayList<>(ARRIVAL_BATCH);
        while (arrivalQueue.drainTo(batch, ARRIVAL_BATCH) > 0) {
            record(batch);
            batch.clear();
        }
    }

    private void lingerForMore(ArrayBlockingQueue<?> queue, int batch, Duration linger) {
        if (executor.isShutdown() || queue.size() >= batch) {
            return;   // closing takes what is left at once; a full batch is worth taking now
        }
        try {
            Thread.sleep(linger.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void record(List<IncomingMail> batch) {
        try {
            arrivals.recordArrivals(List.copyOf(batch));
        } catch (RuntimeException batchFailed) {
            if (batch.size() == 1) {
                LOG.error("learning from the arrival for {} failed", batch.get(0).recipient(), batchFailed);
                return;
            }
            // Nothing of the batch was stored: one by one, so one arrival that cannot be stored costs only itself.
            LOG.warn("recording {} arrivals together failed ({}); recording them one by one", batch.size(),
                batchFailed.toString());
            for (IncomingMail mail : batch) {
                try {
                    arrivals.recordArrivals(List.of(mail));
                } catch (RuntimeException e) {
                    LOG.error("learning from the arrival for {} failed", mail.recipient(), e);
                }
            }
        }
    }

    /**
     * {@code user} sent {@code message} through submission to {@code recipients}: who the user writes to and
     * answers teaches importance. Parsed and learned in the background.
     */
    public void sent(String user, List<String> recipients, byte[] message, Instant sentAt) {
        later("sent mail of " + user, () -> sentLearning.learnSent(new SentMail(user, parser.parse(message),
            recipients, sentAt)));
    }

    private void later(String what, Runnable work) {
        try {
            executor.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    LOG.error("learning from {} failed", what, e);
                }
            });
        } catch (RejectedExecutionException full) {
            LOG.warn("learning queue full: {} not learned", what);
        }
    }

    /** True/false for what the action says (spam or important), empty when it teaches nothing. */
    static Optional<Boolean> verdict(UserAction.Kind kind) {
        return switch (kind) {
            case MOVED_INTO_SPAM, COPIED_INTO_SPAM, MARKED_JUNK -> Optional.of(true);
            case MOVED_OUT_OF_SPAM, MARKED_NOT_JUNK -> Optional.of(false);
            case MOVED_INTO_PRIORITY, COPIED_INTO_PRIORITY, MARKED_IMPORTANT, FLAGGED -> Optional.of(true);
            case MOVED_OUT_OF_PRIORITY, UNMARKED_IMPORTANT -> Optional.of(false);
            case UNMARKED_JUNK, UNMARKED_NOT_JUNK, UNFLAGGED -> Optional.empty();
        };
    }

    /**
     * One batch of actions, in order: spam verdicts are learned one by one, importance labels gathered and learned
     * together at the end (the two models share nothing, so only each one's own order matters).
     */
    private void learn(List<UserAction> batch) {
        List<ImportanceLabels.Label> labels = new ArrayList<>();
        MessageReads reads = new MessageReads();
        for (UserAction action : batch) {
            try {
                boolean yes = verdict(action.kind()).orElseThrow();
                Optional<MessageContentLookup.StoredMessage> message = reads.find(action);
                if (message.isEmpty()) {
                    LOG.debug("message {} of {} is gone; {} not learned", action.messageId(), action.user(),
                        action.kind());
                    continue;
                }
                MailContent content = message.get().content();
                if (action.kind().isSpamSignal()) {
                    spam.learn(action.user(), spamKey(action, content), content, yes);
                } else {
                    labels.add(new ImportanceLabels.Label(action.user(), content, message.get().receivedAt(), yes,
                        action.timestamp()));
                }
            } catch (RuntimeException e) {
                LOG.error("learning from {} by {} failed", action.kind(), action.user(), e);
            }
        }
        if (labels.isEmpty()) {
            return;
        }
        try {
            importance.learnLabels(labels);
        } catch (RuntimeException e) {
            LOG.error("learning {} importance labels failed", labels.size(), e);
        }
    }

    /**
     * The lookup, remembering the last message read: the actions of one message come one after another (a move out
     * of Priority into Spam is two), and are learned from one read. Only the last, so a batch holds no more parsed
     * messages than its labels need.
     */
    private final class MessageReads {
        private String user;
        private String messageId;
        private Optional<MessageContentLookup.StoredMessage> message;

        Optional<MessageContentLookup.StoredMessage> find(UserAction action) {
            if (!action.user().equals(user) || !action.messageId().equals(messageId)) {
                message = lookup.find(action.user(), action.messageId());
                user = action.user();
                messageId = action.messageId();
            }
            return message;
        }
    }

    /**
     * The key spam learning is idempotent on: the message's Message-ID header as it stands in the message the learner
     * has just read (the same message in every folder, so a copy and its original count once), else the store's id.
     * Taken here rather than by the publisher, which would have to read the message inside the IMAP command.
     */
    static String spamKey(UserAction action, MailContent content) {
        return content.header("Message-ID").filter(id -> !id.isEmpty()).orElse(action.messageId());
    }

    /**
     * Finishes what is queued (briefly), then stops. User actions and arrivals still waiting when the background
     * thread has stopped (queued while it shut down) are learned and recorded here: each belongs to a committed
     * change.
     */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (executor.awaitTermination(10, TimeUnit.SECONDS)) {
                drainActions();
                drainArrivals();
            } else if (!arrivalQueue.isEmpty() || !actionQueue.isEmpty()) {
                LOG.warn("learning stopped with {} arrivals not remembered and {} user actions not learned",
                    arrivalQueue.size(), actionQueue.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
