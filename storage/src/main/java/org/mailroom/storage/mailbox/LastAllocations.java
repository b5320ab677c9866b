package org.mailroom.storage.mailbox;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The last UID and MODSEQ this process saw on each mailbox row, so that a new membership can take the next ones
 * with one compare-and-set UPDATE and no read-back SELECT ({@link MessageRows#allocateForNewMembership}). A value
 * here is only a guess: the UPDATE applies only if the row still holds exactly these numbers, and the new numbers
 * are these plus one, so a stale guess (another server, a flag update, a rolled-back append) costs one UPDATE that
 * changes nothing and the old UPDATE + SELECT, never a wrong UID. Within one server James's path lock makes the
 * appends to a mailbox one at a time, so the guess is nearly always right.
 */
final class LastAllocations {
    /** Mailboxes remembered: 16 bytes of numbers each; the least recently appended to are dropped first. */
    private static final long MAX_MAILBOXES = 100_000;

    record Last(long uid, long modSeq) {
    }

    private final Cache<Long, Last> byMailbox = Caffeine.newBuilder().maximumSize(MAX_MAILBOXES).build();

    Last get(long mailboxId) {
        return byMailbox.getIfPresent(mailboxId);
    }

    void put(long mailboxId, long uid, long modSeq) {
        byMailbox.put(mailboxId, new Last(uid, modSeq));
    }
}
