package org.mailroom.sorter.learning;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.ArrayList;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.TestMail;
import org.mailroom.sorter.message.MailContent;

class LearningDispatcherTest {

    private static final MailContent CONTENT = TestMail.of("Subject: hi\n\nbody\n").content();
    private static final Instant RECEIVED = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant ACTED = Instant.parse("2026-01-02T00:00:00Z");

    private final List<String> learned = new CopyOnWriteArrayList<>();

    private LearningDispatcher dispatcher(MessageContentLookup lookup) {
        return new LearningDispatcher(lookup,
            (user, key, content, spam) -> learned.add("spam " + user + " " + key + " " + spam),
            labels -> labels.forEach(label -> learned.add("importance " + label.user() + " " + label.important()
                + " " + label.receivedAt() + " " + label.labelledAt())), 16);
    }

    /** A message with a Message-ID header, stored as {@code m-a}; {@code m-17} ({@link #CONTENT}) has none. */
    private static final MailContent WITH_MESSAGE_ID = TestMail.of("Message-ID:  <a@x> \nSubject: hi\n\nbody\n")
        .content();

    private static UserAction action(UserAction.Kind kind) {
        return action("m-17", kind);
    }

    private static UserAction action(String messageId, UserAction.Kind kind) {
        return new UserAction("alice@example.test", messageId, kind, Optional.empty(), Optional.of("Spam"), ACTED);
    }

    private static Optional<MessageContentLookup.StoredMessage> stored(String messageId) {
        return Optional.of(new MessageContentLookup.StoredMessage(messageId.equals("m-a") ? WITH_MESSAGE_ID : CONTENT,
            RECEIVED));
    }

    @Test
    void actionsReachTheRightLearnerWithTheRightVerdictInOrder() {
        try (LearningDispatcher dispatcher = dispatcher((user, id) -> stored(id))) {
            dispatcher.onUserAction(action("m-a", UserAction.Kind.MOVED_INTO_SPAM));
            dispatcher.onUserAction(action(UserAction.Kind.MARKED_NOT_JUNK));
            dispatcher.onUserAction(action(UserAction.Kind.UNMARKED_JUNK));
            dispatcher.onUserAction(action(UserAction.Kind.FLAGGED));
            dispatcher.onUserAction(action(UserAction.Kind.UNFLAGGED));
            dispatcher.onUserAction(action(UserAction.Kind.MOVED_OUT_OF_PRIORITY));
        }
        assertThat(learned).containsExactly(
            "spam alice@example.test <a@x> true",
            "spam alice@example.test m-17 false",
            "importance alice@example.test true " + RECEIVED + " " + ACTED,
            "importance alice@example.test false " + RECEIVED + " " + ACTED);
    }

    @Test
    void aVanishedMessageOrAFailingLookupTeachesNothingAndBreaksNothing() {
        try (LearningDispatcher dispatcher = dispatcher((user, id) -> {
            if (id.equals("m-17")) {
                throw new IllegalStateException("store down");
            }
            return Optional.empty();
        })) {
            dispatcher.onUserAction(action(UserAction.Kind.MOVED_INTO_SPAM));
            dispatcher.onUserAction(new UserAction("bob@example.test", "gone",
                UserAction.Kind.MARKED_IMPORTANT, Optional.empty(), Optional.of("INBOX"), ACTED));
        }
        assertThat(learned).isEmpty();
    }

    @Test
    void actionsWaitingTogetherReadEachMessageOnceAndHandTheirLabelsOverInOneCall() throws Exception {
        List<String> reads = new CopyOnWriteArrayList<>();
        List<List<String>> labelCalls = new CopyOnWriteArrayList<>();
        CountDownLatch firstCallStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        MessageContentLookup lookup = (user, id) -> {
            reads.add(id);
            return id.equals("gone") ? Optional.empty() : Optional.of(new MessageContentLookup.StoredMessage(
                TestMail.of("Message-ID: <" + id + "@x>\nSubject: " + id + "\n\nbody\n").content(), RECEIVED));
        };
        ImportanceLabels labels = batch -> {
            labelCalls.add(batch.stream().map(l -> l.content().subject() + (l.important() ? "+" : "-")).toList());
            firstCallStarted.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (LearningDispatcher dispatcher = new LearningDispatcher(lookup,
            (user, key, content, spam) -> learned.add("spam " + key + " " + spam), labels, 16)) {
            dispatcher.onUserAction(action("m-1", UserAction.Kind.FLAGGED));
            assertThat(firstCallStarted.await(10, TimeUnit.SECONDS)).isTrue();
            // The background thread is busy with the first: these wait and are learned together.
            dispatcher.onUserAction(action("m-2", UserAction.Kind.MOVED_OUT_OF_PRIORITY));
            dispatcher.onUserAction(action("m-2", UserAction.Kind.MOVED_INTO_SPAM));
            dispatcher.onUserAction(action("gone", UserAction.Kind.FLAGGED));
            dispatcher.onUserAction(action("m-3", UserAction.Kind.UNFLAGGED));
            dispatcher.onUserAction(action("m-3", UserAction.Kind.MARKED_IMPORTANT));
            dispatcher.onUserAction(action("m-1", UserAction.Kind.FLAGGED));
            release.countDown();
        }
        // The move's two actions share one read; the expunged message teaches nothing and stops nothing; the
        // unflagging teaches nothing and is not even read; the second flag of m-1 is a second label, learned too.
        assertThat(reads).containsExactly("m-1", "m-2", "gone", "m-3", "m-1");
        assertThat(labelCalls).containsExactly(List.of("m-1+"), List.of("m-2-", "m-3+", "m-1+"));
        assertThat(learned).containsExactly("spam <m-2@x> true");
    }

    /**
     * Actions that come one at a time, a little apart (flag changes from several sessions), while the learning thread
     * is idle: they gather for {@link LearningDispatcher#ACTION_LINGER} and reach the importance model in one call
     * (one write of its weights), not one call each. Each is queued well within the linger after the first.
     */
    @Test
    void actionsComingOneByOneWhileIdleGatherIntoOneBatch() throws Exception {
        List<List<String>> labelCalls = new CopyOnWriteArrayList<>();
        CountDownLatch learnedAll = new CountDownLatch(3);
        MessageContentLookup lookup = (user, id) -> Optional.of(new MessageContentLookup.StoredMessage(
            TestMail.of("Subject: " + id + "\n\nbody\n").content(), RECEIVED));
        ImportanceLabels labels = batch -> {
            labelCalls.add(batch.stream().map(l -> l.content().subject()).toList());
            batch.forEach(l -> learnedAll.countDown());
        };
        long interval = LearningDispatcher.ACTION_LINGER.toMillis() / 10;
        try (LearningDispatcher dispatcher = new LearningDispatcher(lookup, (user, key, content, spam) -> { },
            labels, 16)) {
            long started = System.nanoTime();
            for (String id : List.of("m-1", "m-2", "m-3")) {
                dispatcher.onUserAction(action(id, UserAction.Kind.FLAGGED));
                Thread.sleep(interval);
            }
            long queuedWithin = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(learnedAll.await(10, TimeUnit.SECONDS)).isTrue();
            if (queuedWithin < LearningDispatcher.ACTION_LINGER.toMillis()) {
                assertThat(labelCalls).containsExactly(List.of("m-1", "m-2", "m-3"));
            } else {
                // A machine so busy that the three took longer than the linger to queue: still each once, in order.
                assertThat(labelCalls.stream().flatMap(List::stream)).containsExactly("m-1", "m-2", "m-3");
            }
        }
    }

    @Test
    void closeLearnsEveryActionStillWaitingOnce() {
        List<String> labelled = new CopyOnWriteArrayList<>();
        LearningDispatcher dispatcher = new LearningDispatcher((user, id) -> stored(id), (user, key, c, spam) -> { },
            batch -> batch.forEach(l -> labelled.add(l.labelledAt().toString())), 1_000);
        for (int i = 0; i < 500; i++) {
            dispatcher.onUserAction(new UserAction("alice@example.test", "m-" + i, UserAction.Kind.FLAGGED,
                Optional.empty(), Optional.of("INBOX"), ACTED.plusSeconds(i)));
        }
        dispatcher.close();
        assertThat(labelled).hasSize(500).doesNotHaveDuplicates();
    }

    private static IncomingMail arrival(int n) {
        return new IncomingMail("user" + n + "@example.test", Optional.empty(), SessionFacts.none(), CONTENT, RECEIVED);
    }

    private LearningDispatcher recordingArrivals(ArrivalRecording arrivals) {
        return new LearningDispatcher((user, id) -> Optional.empty(), (user, key, content, spam) -> { },
            labels -> { }, arrivals, sent -> { }, 1_000);
    }

    @Test
    void arrivalsWaitingTogetherAreRecordedInOneCallInDeliveryOrder() throws Exception {
        List<List<String>> calls = new CopyOnWriteArrayList<>();
        CountDownLatch firstCallStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (LearningDispatcher dispatcher = recordingArrivals(mails -> {
            calls.add(mails.stream().map(IncomingMail::recipient).toList());
            firstCallStarted.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            dispatcher.received(arrival(0));
            assertThat(firstCallStarted.await(10, TimeUnit.SECONDS)).isTrue();
            // The background thread is busy with the first: these 300 wait and go in batches of at most 256.
            for (int i = 1; i <= 300; i++) {
                dispatcher.received(arrival(i));
            }
            release.countDown();
        }
        assertThat(calls).hasSize(3);
        assertThat(calls.get(0)).containsExactly("user0@example.test");
        assertThat(calls.get(1)).hasSize(LearningDispatcher.ARRIVAL_BATCH);
        List<String> all = new ArrayList<>();
        calls.forEach(all::addAll);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i <= 300; i++) {
            expected.add("user" + i + "@example.test");
        }
        assertThat(all).containsExactlyElementsOf(expected);
    }

    @Test
    void aBatchThatCannotBeStoredIsRecordedOneByOneSoOnlyTheBadArrivalIsLost() throws Exception {
        List<String> recorded = new CopyOnWriteArrayList<>();
        CountDownLatch firstCallStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (LearningDispatcher dispatcher = recordingArrivals(mails -> {
            if (mails.stream().anyMatch(m -> m.recipient().equals("user2@example.test"))) {
                throw new IllegalStateException("cannot store user2");
            }
            mails.forEach(m -> recorded.add(m.recipient()));
            firstCallStarted.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            dispatcher.received(arrival(0));
            assertThat(firstCallStarted.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i <= 4; i++) {
                dispatcher.received(arrival(i));
            }
            release.countDown();
        }
        assertThat(recorded).containsExactly("user0@example.test", "user1@example.test", "user3@example.test",
            "user4@example.test");
    }

    @Test
    void closeRecordsEveryArrivalStillWaiting() {
        List<String> recorded = new CopyOnWriteArrayList<>();
        LearningDispatcher dispatcher = recordingArrivals(mails -> mails.forEach(m -> recorded.add(m.recipient())));
        for (int i = 0; i < 500; i++) {
            dispatcher.received(arrival(i));
        }
        dispatcher.close();
        assertThat(recorded).hasSize(500).doesNotHaveDuplicates();
    }
}
