package org.mailroom.sorter.learning;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.message.MailParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what users do in IMAP into training: moves into or out of Spam and the junk keywords train the spam
 * filter; moves into or out of Priority, {@code $Important} and {@code \Flagged} label importance. Clearing a
 * keyword ({@code UNMARKED_JUNK}, {@code UNMARKED_NOT_JUNK}, {@code UNFLAGGED}) teaches nothing: people unflag
 * mail they have dealt with, which says nothing about whether it mattered.
 *
 * <p>The store calls {@link #onUserAction} on its own thread; the work (reading the message, training) runs on one
 * background thread with a bounded queue, and actions beyond it are dropped with a warning rather than slowing
 * IMAP down. Learners are called one action at a time, in the order the actions happened.
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
        try {
            executor.execute(() -> dispatch(action));
        } catch (RejectedExecutionException full) {
            LOG.warn("learning queue full: {} by {} on {} not learned", action.kind(), action.user(),
                action.messageId());
        }
    }

    /** A message was delivered to {@code mail.recipient()}: remembered for importance, in the background. */
    public void received(IncomingMail mail) {
        later("arrival for " + mail.recipient(), () -> arrivals.recordReceived(mail));
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

    private void dispatch(UserAction action) {
        try {
            boolean yes = verdict(action.kind()).orElseThrow();
            Optional<MessageContentLookup.StoredMessage> message = lookup.find(action.user(), action.messageId());
            if (message.isEmpty()) {
                LOG.debug("message {} of {} is gone; {} not learned", action.messageId(), action.user(), action.kind());
                return;
            }
            if (action.kind().isSpamSignal()) {
                spam.learn(action.user(), action.messageIdHeader().orElse(action.messageId()),
                    message.get().content(), yes);
            } else {
                importance.learnLabel(action.user(), message.get().content(), message.get().receivedAt(), yes,
                    action.timestamp());
            }
        } catch (RuntimeException e) {
            LOG.error("learning from {} by {} failed", action.kind(), action.user(), e);
        }
    }

    /** Finishes what is queued (briefly), then stops. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
