package org.mailroom.sorter.learning;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
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

    private static UserAction action(UserAction.Kind kind, Optional<String> header) {
        return new UserAction("alice@example.test", "m-17", header, kind, Optional.empty(), Optional.of("Spam"), ACTED);
    }

    @Test
    void actionsReachTheRightLearnerWithTheRightVerdictInOrder() {
        try (LearningDispatcher dispatcher = dispatcher((user, id) -> Optional.of(
            new MessageContentLookup.StoredMessage(CONTENT, RECEIVED)))) {
            dispatcher.onUserAction(action(UserAction.Kind.MOVED_INTO_SPAM, Optional.of("<a@x>")));
            dispatcher.onUserAction(action(UserAction.Kind.MARKED_NOT_JUNK, Optional.empty()));
            dispatcher.onUserAction(action(UserAction.Kind.UNMARKED_JUNK, Optional.empty()));
            dispatcher.onUserAction(action(UserAction.Kind.FLAGGED, Optional.empty()));
            dispatcher.onUserAction(action(UserAction.Kind.UNFLAGGED, Optional.empty()));
            dispatcher.onUserAction(action(UserAction.Kind.MOVED_OUT_OF_PRIORITY, Optional.empty()));
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
            dispatcher.onUserAction(action(UserAction.Kind.MOVED_INTO_SPAM, Optional.empty()));
            dispatcher.onUserAction(new UserAction("bob@example.test", "gone", Optional.empty(),
                UserAction.Kind.MARKED_IMPORTANT, Optional.empty(), Optional.of("INBOX"), ACTED));
        }
        assertThat(learned).isEmpty();
    }
}
