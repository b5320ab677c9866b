package org.mailroom.storage.mailbox;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last UID and MODSEQ this process saw on each mailbox row, so that a new membership can take the next ones
 * with one compare-and-set UPDATE and no read-back SELECT ({@link MessageRows#allocateForNewMemberships}). A value
 * here is only a guess: the UPDATE applies only if the row still holds exactly these numbers, and the new numbers
 * follow these, so a stale guess (another server, a flag update, a rolled-back append) costs one UPDATE that
 * changes nothing and the old UPDATE + SELECT, never a wrong UID. Within one server the appends to a mailbox are
 * written one group commit at a time ({@link GroupCommit}), so the guess is nearly always right.
 */
final class LastAllocations {
    /**
     * Mailboxes remembered (about 80 bytes each). Past that everything is forgotten at once, which costs each mailbox
     * one read-back SELECT at its next append: a plain map, because a Caffeine put (its write buffer and
     * maintenance) cost more CPU per append than the SELECT it saves.
     */
    private static final int MAX_MAILBOXES = 100_000;

    record Last(long uid, long modSeq) {
    }

    private final Map<Long, Last> byMailbox = new ConcurrentHashMap<>();

    Last get(long mailboxId) {
        return byMailbox.get(mailboxId);
    }

    void put(long mailboxId, long uid, long modSeq) {
        if (byMailbox.size() >= MAX_MAILBOXES && !byMailbox.containsKey(mailboxId)) {
            byMailbox.clear();
        }
        byMailbox.put(mailboxId, new Last(uid, modSeq));
    }
}
