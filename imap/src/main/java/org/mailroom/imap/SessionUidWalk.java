package org.mailroom.imap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Collection;
import java.util.NavigableSet;
import java.util.Set;

import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.processor.base.SelectedMailboxImpl;
import org.apache.james.imap.processor.base.UidMsnConverter;
import org.apache.james.mailbox.MessageSequenceNumber;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.MessageRange;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;

/**
 * A selected session's view of one UID range, for answering a FETCH from rows that come in ascending UID order: each
 * row's message sequence number and whether the message is recent to the session, found by walking a copy of the
 * session's UIDs (and of its recent UIDs) in the range beside the rows.
 *
 * <p>Why: James's {@link SelectedMailbox} answers {@code msn(uid)} and {@code isRecent(uid)} one UID at a time, each
 * taking a monitor, with a binary search over the session's UIDs and a {@code TreeSet} look-up, and a
 * {@code MessageUid} and a {@code NullableMessageSequenceNumber} per call: for {@code FETCH 1:*} of 10,000 messages
 * 20,000 synchronized look-ups and 30,000 objects, most of it interpreted on a fresh server. Here the range's UIDs
 * are found by two binary searches and copied once, under the monitors James's own methods take (the
 * {@code UidMsnConverter}'s for the UIDs, the selected mailbox's for the recent set); each row then costs a step or
 * two of a cursor.
 *
 * <p>What the copy sees is what the per-row look-ups saw: this session's UIDs leave its view only when its own
 * EXPUNGE responses are sent (after the FETCH's rows), so a message another session expunged stays in the view with
 * its number and simply has no row; a message another session adds while the rows are read is in the view only if
 * its event came before the copy (as before, where it depended on its event coming before the row's look-up), and
 * a UID not in the view is skipped, as James skips it.
 *
 * <p>{@code SelectedMailboxImpl} and {@code UidMsnConverter} keep these structures private or package-private; they
 * are reached through private lookups (the James jars are on the class path, in the unnamed module). With another
 * {@code SelectedMailbox}, or a James version without them, the walk asks James row by row as before
 * ({@code SessionUidWalkTest} fails on such a version).
 */
final class SessionUidWalk {
    private static final VarHandle CONVERTER;
    private static final VarHandle RECENT;
    private static final VarHandle USES_INTS;
    private static final VarHandle INT_UIDS;
    private static final VarHandle LONG_UIDS;
    private static final long[] NONE = new long[0];

    static {
        VarHandle converter = null;
        VarHandle recent = null;
        VarHandle usesInts = null;
        VarHandle intUids = null;
        VarHandle longUids = null;
        try {
            MethodHandles.Lookup selected =
                MethodHandles.privateLookupIn(SelectedMailboxImpl.class, MethodHandles.lookup());
            MethodHandles.Lookup uids = MethodHandles.privateLookupIn(UidMsnConverter.class, MethodHandles.lookup());
            converter = selected.findVarHandle(SelectedMailboxImpl.class, "uidMsnConverter", UidMsnConverter.class);
            recent = selected.findVarHandle(SelectedMailboxImpl.class, "recentUids", Set.class);
            usesInts = uids.findVarHandle(UidMsnConverter.class, "usesInts", boolean.class);
            intUids = uids.findVarHandle(UidMsnConverter.class, "uidsAsInts", IntArrayList.class);
            longUids = uids.findVarHandle(UidMsnConverter.class, "uids", LongArrayList.class);
        } catch (ReflectiveOperationException | IllegalArgumentException | SecurityException | LinkageError e) {
            converter = null;
        }
        CONVERTER = converter;
        RECENT = recent;
        USES_INTS = usesInts;
        INT_UIDS = intUids;
        LONG_UIDS = longUids;
    }

    /** James's selected mailbox, asked per row when no copy could be taken; null when walking the copy. */
    private final SelectedMailbox perRow;
    /** The view's UIDs in the range when James keeps them as ints (all at most Integer.MAX_VALUE), else null. */
    private final int[] intUids;
    /** The view's UIDs in the range when James keeps them as longs. */
    private final long[] uids;
    private final int firstMsn;
    private final long[] recent;
    private int uidAt;
    private int recentAt;

    private SessionUidWalk(SelectedMailbox perRow, int[] intUids, long[] uids, int firstMsn, long[] recent) {
        this.perRow = perRow;
        this.intUids = intUids;
        this.uids = uids;
        this.firstMsn = firstMsn;
        this.recent = recent;
    }

    /** Whether this James version has what the walk needs (false: each row is looked up in James's structures). */
    static boolean available() {
        return CONVERTER != null;
    }

    /**
     * The session's view of {@code range} ({@code withRecent}: whether {@link #isRecent} will be asked); its
     * {@link #msn} and {@link #isRecent} must then be asked in ascending UID order.
     */
    static SessionUidWalk of(SelectedMailbox selected, MessageRange range, boolean withRecent) {
        if (!(selected instanceof SelectedMailboxImpl impl) || !available()) {
            return new SessionUidWalk(selected, null, NONE, 0, NONE);
        }
        long from = range.getUidFrom().asLong();
        long to = range.getUidTo().asLong();
        UidMsnConverter converter = (UidMsnConverter) CONVERTER.get(impl);
        int[] intUids = null;
        long[] uids = NONE;
        int firstMsn;
        synchronized (converter) {
            if ((boolean) USES_INTS.get(converter)) {
                IntArrayList list = (IntArrayList) INT_UIDS.get(converter);
                // UIDs are kept as ints while all are at most Integer.MAX_VALUE, so none beyond that is in the view
                int[] elements = list.elements();
                int start = from > Integer.MAX_VALUE ? list.size()
                    : position(Arrays.binarySearch(elements, 0, list.size(), (int) from), false);
                int last = (int) Math.min(to, Integer.MAX_VALUE);
                int end = position(Arrays.binarySearch(elements, 0, list.size(), last), true);
                // copied as they are (a bulk copy even before the JIT has compiled this), compared as longs per row
                intUids = Arrays.copyOfRange(elements, start, Math.max(start, end));
                firstMsn = start + 1;
            } else {
                LongArrayList list = (LongArrayList) LONG_UIDS.get(converter);
                int start = position(Arrays.binarySearch(list.elements(), 0, list.size(), from), false);
                int end = position(Arrays.binarySearch(list.elements(), 0, list.size(), to), true);
                uids = Arrays.copyOfRange(list.elements(), start, Math.max(start, end));
                firstMsn = start + 1;
            }
        }
        return new SessionUidWalk(null, intUids, uids, firstMsn, withRecent ? recent(impl, range) : NONE);
    }

    /** The message's sequence number in the session's view, or 0 when the UID is not in it. */
    int msn(long uid) {
        if (perRow != null) {
            return perRow.msn(MessageUid.of(uid)).foldSilent(() -> 0, MessageSequenceNumber::asInt);
        }
        if (intUids != null) {
            while (uidAt < intUids.length && intUids[uidAt] < uid) {
                uidAt++;
            }
            return uidAt < intUids.length && intUids[uidAt] == uid ? firstMsn + uidAt : 0;
        }
        while (uidAt < uids.length && uids[uidAt] < uid) {
            uidAt++;
        }
        return uidAt < uids.length && uids[uidAt] == uid ? firstMsn + uidAt : 0;
    }

    /** Whether the message is recent to this session. */
    boolean isRecent(long uid) {
        if (perRow != null) {
            return perRow.isRecent(MessageUid.of(uid));
        }
        while (recentAt < recent.length && recent[recentAt] < uid) {
            recentAt++;
        }
        return recentAt < recent.length && recent[recentAt] == uid;
    }

    /**
     * The session's recent UIDs in the range, ascending (James keeps them in a {@code TreeSet}): one pass over the
     * range's part of the set, the array sized by the whole set (whose size, unlike a sub-set's, costs no walk).
     */
    @SuppressWarnings("unchecked")
    private static long[] recent(SelectedMailboxImpl impl, MessageRange range) {
        synchronized (impl) {
            Set<MessageUid> all = (Set<MessageUid>) RECENT.get(impl);
            if (all.isEmpty()) {
                return NONE;
            }
            boolean sorted = all instanceof NavigableSet<MessageUid>;
            Collection<MessageUid> candidates = sorted
                ? ((NavigableSet<MessageUid>) all).subSet(range.getUidFrom(), true, range.getUidTo(), true) : all;
            long[] uids = new long[all.size()];
            int count = 0;
            for (MessageUid uid : candidates) {
                if (sorted || range.includes(uid)) {
                    uids[count++] = uid.asLong();
                }
            }
            long[] inRange = count == uids.length ? uids : Arrays.copyOf(uids, count);
            if (!sorted) {
                Arrays.sort(inRange);
            }
            return inRange;
        }
    }

    /**
     * Where a key stands among ascending distinct elements, from {@code Arrays.binarySearch}'s answer: the index of
     * the key or of the first element above it; with {@code past}, the index after the key (so after the last element
     * at most the key).
     */
    private static int position(int searched, boolean past) {
        if (searched < 0) {
            return -searched - 1;
        }
        return past ? searched + 1 : searched;
    }
}
