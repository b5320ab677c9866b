package org.mailroom.storage.mailbox;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One mailbox's cached header bytes by UID ({@link HeaderBytesCache}). Safe for concurrent searches of the mailbox:
 * two may read the same missing headers and put the same bytes (harmless: a UID's header never changes); one may
 * drop a header another has just added for a UID its own, older list does not hold (the next search reads it again).
 * Neither can make a search answer wrongly, because a search answers only for the UIDs of its own list and takes
 * their bytes from here or, when missing, from the database.
 */
final class MailboxHeaderBytes {
    /** What one cached header costs beyond its bytes: the map's node, the boxed UID, the array's header. */
    private static final long OVERHEAD_PER_HEADER = 80;

    /** Reads the header bytes of the mailbox's messages with UIDs from {@code fromUid} to {@code toUid}. */
    @FunctionalInterface
    interface HeaderReader {
        void read(long fromUid, long toUid, JdbcMessageMapper.HeaderRowVisitor visitor);
    }

    private final Map<Long, byte[]> headers = new ConcurrentHashMap<>();
    private final AtomicLong weight = new AtomicLong();

    /**
     * Brings the cache to the mailbox's {@code uids} (ascending, the mailbox's messages at the search's start): reads
     * from the database, in one statement over the range they span, the headers of those not cached (all on the
     * first search, afterwards those appended since), and drops the headers of messages no longer in the list.
     * Returns whether anything changed. A message expunged between the list and the read has no row, stays
     * uncached and is left out of the answer ({@link #header} gives null), as it would be a moment later.
     */
    boolean fill(long[] uids, HeaderReader reader) {
        long[] missing = Arrays.stream(uids).filter(uid -> !headers.containsKey(uid)).toArray();
        // more cached than the list's cached UIDs: some cached UID is not in the list (expunged or moved since)
        boolean holdsGone = headers.size() > uids.length - missing.length;
        boolean changed = false;
        if (missing.length > 0) {
            reader.read(missing[0], missing[missing.length - 1], (uid, header) -> {
                if (Arrays.binarySearch(missing, uid) >= 0 && headers.putIfAbsent(uid, header) == null) {
                    weight.addAndGet(header.length + OVERHEAD_PER_HEADER);
                }
            });
            changed = true;
        }
        if (holdsGone) {
            headers.entrySet().removeIf(entry -> {
                boolean gone = Arrays.binarySearch(uids, entry.getKey()) < 0;
                if (gone) {
                    weight.addAndGet(-(entry.getValue().length + OVERHEAD_PER_HEADER));
                }
                return gone;
            });
            changed = true;
        }
        return changed;
    }

    /** The header bytes of the message with this UID, or null when not cached (gone before {@link #fill} read it). */
    byte[] header(long uid) {
        return headers.get(uid);
    }

    /** Approximate bytes held. */
    long weight() {
        return weight.get();
    }
}
