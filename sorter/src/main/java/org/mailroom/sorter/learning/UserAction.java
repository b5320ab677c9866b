package org.mailroom.sorter.learning;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One thing a user did to one message that tells the sorter what the user thinks of it (a move into or out of
 * Spam or Priority, a copy into them, or a junk/importance keyword set or cleared).
 *
 * @param user            the owner of the mailbox, a full address such as {@code alice@example.test}
 * @param messageId       the store's id of the message (its {@code MessageId} serialization), the same in every
 *                        folder the message is copied or moved to. Nothing else of the message travels with the
 *                        action: the publisher runs inside the IMAP command, and reading the message there (its
 *                        Message-ID header, as before) cost every such command a read the learner makes anyway
 * @param kind            what the user did
 * @param sourceFolder    the folder the message came from (moves and copies), otherwise empty
 * @param targetFolder    the folder the message went to (moves and copies) or the folder it is in (keyword
 *                        changes)
 * @param timestamp       when the action was observed
 */
public record UserAction(String user, String messageId, Kind kind,
                         Optional<String> sourceFolder, Optional<String> targetFolder, Instant timestamp) {

    public UserAction {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(sourceFolder, "sourceFolder");
        Objects.requireNonNull(targetFolder, "targetFolder");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    /** The kinds of user action the sorter learns from. */
    public enum Kind {
        MOVED_INTO_SPAM,
        MOVED_OUT_OF_SPAM,
        MOVED_INTO_PRIORITY,
        MOVED_OUT_OF_PRIORITY,
        COPIED_INTO_SPAM,
        COPIED_INTO_PRIORITY,
        MARKED_JUNK,
        UNMARKED_JUNK,
        MARKED_NOT_JUNK,
        UNMARKED_NOT_JUNK,
        MARKED_IMPORTANT,
        UNMARKED_IMPORTANT,
        FLAGGED,
        UNFLAGGED;

        /** True for the kinds that say something about spam; the others are about importance. */
        public boolean isSpamSignal() {
            return switch (this) {
                case MOVED_INTO_SPAM, MOVED_OUT_OF_SPAM, COPIED_INTO_SPAM, MARKED_JUNK, UNMARKED_JUNK,
                     MARKED_NOT_JUNK, UNMARKED_NOT_JUNK -> true;
                default -> false;
            };
        }
    }
}
