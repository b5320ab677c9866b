package org.mailroom.sorter.learning;

import java.time.Instant;
import java.util.Optional;

import org.mailroom.sorter.message.MailContent;

/** Reads a stored message for learning; dist implements it through the mailbox API. */
@FunctionalInterface
public interface MessageContentLookup {

    /** The message the store knows as {@code messageId} in {@code user}'s account, empty when it is gone. */
    Optional<StoredMessage> find(String user, String messageId);

    /** A stored message parsed for the learners, and when it arrived (its internal date). */
    record StoredMessage(MailContent content, Instant receivedAt) {
    }
}
