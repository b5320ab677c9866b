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
            (user, content, receivedAt, important, labelledAt) -> learned.add("importance " + user + " "
                + important + " " + receivedAt + " " + labelledAt), 16);
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

    private static IncomingMail arrival(int n) {
        return new IncomingMail("user" + n + "@example.test", Optional.empty(), SessionFacts.none(), CONTENT, RECEIVED);
    }

    private LearningDispatcher recordingArrivals(ArrivalRecording arrivals) {
        return new LearningDispatcher((user, id) -> Optional.empty(), (user, key, content, spam) -> { },
            (user, content, receivedAt, important, labelledAt) -> { }, arrivals, sent -> { }, 1_000);
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
