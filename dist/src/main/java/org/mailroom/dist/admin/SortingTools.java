package org.mailroom.dist.admin;

import java.time.Instant;

import org.mailroom.sorter.Decision;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.rules.RuleFiles;

/**
 * What the {@code rules} and {@code explain} commands work with: the rule files, the server's sorter (same rules,
 * signals and attachment inspection as delivery), and stored messages read through the mailbox API.
 */
public interface SortingTools extends AutoCloseable {

    /** A stored message: its bytes as stored and when it arrived (its internal date). */
    record StoredMessage(byte[] content, Instant receivedAt) {
    }

    RuleFiles rules();

    /** Sorts raw message bytes for {@code user} as delivery would, now, without SMTP session facts. */
    default Decision sort(String user, byte[] message) {
        return sort(user, message, SessionFacts.none(), Instant.now());
    }

    /** Sorts raw message bytes for {@code user} as delivery would with these session facts at that time. */
    Decision sort(String user, byte[] message, SessionFacts facts, Instant receivedAt);

    /** The stored message {@code uid} of {@code user}'s {@code folder}; throws IllegalArgumentException if none. */
    StoredMessage storedMessage(String user, String folder, long uid);

    @Override
    void close();
}
