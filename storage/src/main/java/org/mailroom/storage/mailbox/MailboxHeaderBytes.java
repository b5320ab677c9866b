package org.mailroom.storage.mailbox;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.mailbox.model.Header;

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
    /** James's parse of the headers whose searched fields the bytes could not answer for (encoded words, 8-bit). */
    private final Map<Long, List<Header>> parsed = new ConcurrentHashMap<>();
    private final AtomicLong weight = new AtomicLong();

    /**
     * The header bytes of the mailbox's messages {@code uids} (ascending, the mailbox's messages at the search's
     * start), at the same index, from the cache or, for those not cached (all on the first search, afterwards those
     * appended since), from the database in one statement over the range they span; and drops the headers of
     * messages no longer in the list. A message expunged between the list and the read has no row: its entry is
     * null, and the search leaves it out, as it would a moment later. The answer is this search's own: another
     * search's pruning (from an older list) cannot take a header from it.
     */
    byte[][] fill(long[] uids, HeaderReader reader) {
        byte[][] found = new byte[uids.length][];
        int cached = 0;
        for (int i = 0; i < uids.length; i++) {
            found[i] = headers.get(uids[i]);
            if (found[i] != null) {
                cached++;
            }
        }
        // more cached than the list's cached UIDs: some cached UID is not in the list (expunged or moved since)
        boolean holdsGone = headers.size() > cached;
        if (cached < uids.length) {
            long[] missing = new long[uids.length - cached];
            for (int i = 0, m = 0; i < uids.length; i++) {
                if (found[i] == null) {
                    missing[m++] = uids[i];
                }
            }
            reader.read(missing[0], missing[missing.length - 1], (uid, header) -> {
                int index = Arrays.binarySearch(uids, uid);
                if (index >= 0 && found[index] == null) {
                    found[index] = header;
                    if (headers.putIfAbsent(uid, header) == null) {
                        weight.addAndGet(header.length + OVERHEAD_PER_HEADER);
                    }
                }
            });
        }
        if (holdsGone) {
            headers.entrySet().removeIf(entry -> {
                boolean gone = Arrays.binarySearch(uids, entry.getKey()) < 0;
                if (gone) {
                    int length = entry.getValue().length;
                    weight.addAndGet(-(length + OVERHEAD_PER_HEADER));
                    if (parsed.remove(entry.getKey()) != null) {
                        weight.addAndGet(-(2L * length + OVERHEAD_PER_HEADER));
                    }
                }
                return gone;
            });
        }
        return found;
    }

    /** James's parse of this message's header ({@code ResultUtils.createHeaders}), or null when not kept yet. */
    List<Header> parsedHeader(long uid) {
        return parsed.get(uid);
    }

    /** Keeps James's parse of a header (about twice its bytes again: names and values as strings). */
    void keepParsed(long uid, List<Header> fields) {
        byte[] header = headers.get(uid);
        if (header != null && parsed.putIfAbsent(uid, fields) == null) {
            weight.addAndGet(2L * header.length + OVERHEAD_PER_HEADER);
        }
    }

    /** Approximate bytes held. */
    long weight() {
        return weight.get();
    }
}
