package org.mailroom.storage.mailbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.mailbox.model.MessageRange;

/**
 * The metadata of every message of one mailbox (UID, MODSEQ, size, internal date, system flags, keywords) in
 * parallel primitive arrays sorted by UID, as Dovecot's index file keeps them: what SELECT's UID list and a FETCH of
 * flags and sizes read, without a row read per message. Immutable (a change makes a new snapshot), so sessions
 * share one without locks. It is exact for the mailbox row's marks it was read under ({@link MetadataSnapshots}
 * decides when those still hold). About 37 bytes per message: four longs, one byte, one reference (keywords are
 * null for most messages).
 * <p>
 * Messages appended to the mailbox extend a snapshot without a copy ({@link #withAppended}): the arrays have room
 * beyond {@link #size()}, and {@link #written} (shared by every snapshot that shares an array) lets only one
 * snapshot claim each slot past its end. A snapshot reads only its own first {@link #size()} slots, all written
 * before it was made, so writes beyond them by a longer descendant never disturb its readers.
 */
final class MetadataSnapshot {
    /** The columns a snapshot reads per membership row, in {@link #load} order ({@code mm} is the membership). */
    static final String COLUMNS = "mm.uid, mm.modseq, mm.msg_size, mm.internal_date_millis, " + StoredFlags.COLUMNS;

    private static final int MIN_CAPACITY = 256;

    /** One message's metadata, as a row of {@link #COLUMNS} holds it (system flags as stored: \Recent unmasked). */
    record Row(long uid, long modSeq, long size, long internalDateMillis, int systemFlags, String keywords) {
        static Row read(ResultSet rs) throws SQLException {
            return new Row(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                StoredFlags.readSystemFlags(rs, 5), rs.getString(11));
        }
    }

    private final long contentVersion;
    private final long highestModSeq;
    private final int size;
    /** How many slots of the shared arrays some snapshot has written: the next one to extend in place claims from here. */
    private final AtomicInteger written;
    private final long[] uids;
    private final long[] modSeqs;
    private final long[] sizes;
    private final long[] internalDates;
    /** The stored system flags, \Recent unmasked: the watermark is applied when the rows are visited. */
    private final byte[] systemFlags;
    private final String[] keywords;

    private MetadataSnapshot(long contentVersion, long highestModSeq, int size, AtomicInteger written, long[] uids,
                             long[] modSeqs, long[] sizes, long[] internalDates, byte[] systemFlags, String[] keywords) {
        this.contentVersion = contentVersion;
        this.highestModSeq = highestModSeq;
        this.size = size;
        this.written = written;
        this.uids = uids;
        this.modSeqs = modSeqs;
        this.sizes = sizes;
        this.internalDates = internalDates;
        this.systemFlags = systemFlags;
        this.keywords = keywords;
    }

    /** A snapshot of an empty mailbox under these marks. */
    static MetadataSnapshot empty(long contentVersion, long highestModSeq) {
        return withCapacity(contentVersion, highestModSeq, 0, MIN_CAPACITY);
    }

    private static MetadataSnapshot withCapacity(long contentVersion, long highestModSeq, int size, int capacity) {
        return new MetadataSnapshot(contentVersion, highestModSeq, size, new AtomicInteger(size), new long[capacity],
            new long[capacity], new long[capacity], new long[capacity], new byte[capacity], new String[capacity]);
    }

    /** Reads every row of {@code rs} (the {@link #COLUMNS}, in UID order) into a snapshot tagged with the marks. */
    static MetadataSnapshot load(ResultSet rs, long contentVersion, long highestModSeq) throws SQLException {
        MetadataSnapshot snapshot = empty(contentVersion, highestModSeq);
        List<Row> chunk = new ArrayList<>(MIN_CAPACITY);
        while (rs.next()) {
            chunk.add(Row.read(rs));
            if (chunk.size() == MIN_CAPACITY) {
                snapshot = snapshot.withAppended(chunk, highestModSeq);
                chunk.clear();
            }
        }
        return snapshot.withAppended(chunk, highestModSeq);
    }

    /**
     * This snapshot with {@code rows} (rows whose MODSEQ is above this snapshot's: flag changes and appended
     * messages, in any order), tagged with the new MODSEQ mark.
     */
    MetadataSnapshot withChangedRows(List<Row> rows, long newHighestModSeq) {
        long[] newModSeqs = modSeqs.clone();
        byte[] newFlags = systemFlags.clone();
        String[] newKeywords = keywords.clone();
        List<Row> added = new ArrayList<>();
        for (Row row : rows) {
            int index = indexOf(row.uid());
            if (index >= 0) {
                newModSeqs[index] = row.modSeq();
                newFlags[index] = (byte) row.systemFlags();
                newKeywords[index] = row.keywords();
            } else {
                added.add(row);
            }
        }
        added.sort(Comparator.comparingLong(Row::uid));
        return new MetadataSnapshot(contentVersion, newHighestModSeq, size, written, uids, newModSeqs, sizes,
            internalDates, newFlags, newKeywords).withAppended(added, newHighestModSeq);
    }

    /**
     * This snapshot without the messages of {@code removed} (UIDs it may or may not hold), tagged with the new content
     * version: what a committed expunge of those messages leaves. New arrays, so readers of this one are undisturbed.
     */
    MetadataSnapshot without(List<Long> removed, long newContentVersion) {
        long[] gone = removed.stream().mapToLong(Long::longValue).sorted().toArray();
        MetadataSnapshot copy = withCapacity(newContentVersion, highestModSeq, 0,
            Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, size)) * 2));
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (Arrays.binarySearch(gone, uids[i]) < 0) {
                copy.uids[kept] = uids[i];
                copy.modSeqs[kept] = modSeqs[i];
                copy.sizes[kept] = sizes[i];
                copy.internalDates[kept] = internalDates[i];
                copy.systemFlags[kept] = systemFlags[i];
                copy.keywords[kept] = keywords[i];
                kept++;
            }
        }
        return new MetadataSnapshot(newContentVersion, highestModSeq, kept, new AtomicInteger(kept), copy.uids,
            copy.modSeqs, copy.sizes, copy.internalDates, copy.systemFlags, copy.keywords);
    }

    /** The UIDs of {@code range} whose stored system flags include {@code flag} (a {@link MetadataRowVisitor} bit), ascending. */
    List<Long> uidsFlagged(MessageRange range, int flag) {
        List<Long> found = new ArrayList<>();
        int end = upperIndex(range);
        for (int i = lowerIndex(range); i < end; i++) {
            if ((systemFlags[i] & flag) != 0) {
                found.add(uids[i]);
            }
        }
        return found;
    }

    /** Whether every one of {@code uids} is a message of this snapshot. */
    boolean holdsAll(long[] uids) {
        for (long uid : uids) {
            if (indexOf(uid) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * This snapshot with {@code rows} (in UID order) added, tagged with the new MODSEQ mark. A row whose UID is
     * already here is taken as a change of that message (a snapshot read while the row's transaction committed may
     * hold it already); the others go in UID order: at the end, in place when this snapshot is the longest of the
     * ones sharing its arrays and they have room, else into new arrays.
     */
    MetadataSnapshot withAppended(List<Row> rows, long newHighestModSeq) {
        long last = size == 0 ? 0 : uids[size - 1];
        if (!rows.isEmpty() && rows.get(0).uid() <= last) {
            return merged(rows, newHighestModSeq);
        }
        int newSize = size + rows.size();
        if (newSize <= uids.length && written.compareAndSet(size, newSize)) {
            write(this, size, rows);
            return new MetadataSnapshot(contentVersion, newHighestModSeq, newSize, written, uids, modSeqs, sizes,
                internalDates, systemFlags, keywords);
        }
        MetadataSnapshot copy = withCapacity(contentVersion, newHighestModSeq, newSize,
            Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, newSize)) * 2));
        System.arraycopy(uids, 0, copy.uids, 0, size);
        System.arraycopy(modSeqs, 0, copy.modSeqs, 0, size);
        System.arraycopy(sizes, 0, copy.sizes, 0, size);
        System.arraycopy(internalDates, 0, copy.internalDates, 0, size);
        System.arraycopy(systemFlags, 0, copy.systemFlags, 0, size);
        System.arraycopy(keywords, 0, copy.keywords, 0, size);
        write(copy, size, rows);
        return copy;
    }

    /** {@link #withAppended} for rows that are not all past the end: a change of each known UID, a sorted insert of the rest. */
    private MetadataSnapshot merged(List<Row> rows, long newHighestModSeq) {
        List<Row> all = new ArrayList<>(size + rows.size());
        // a watermark of 0 masks nothing: the stored bits are copied as they are
        visit(MessageRange.all(), 0, (uid, modSeq, msgSize, date, flags, words) ->
            all.add(new Row(uid, modSeq, msgSize, date, flags, words)));
        for (Row row : rows) {
            int index = indexOf(row.uid());
            if (index >= 0) {
                all.set(index, row);
            }
        }
        for (Row row : rows) {
            if (indexOf(row.uid()) < 0) {
                all.add(row);
            }
        }
        all.sort(Comparator.comparingLong(Row::uid));
        return empty(contentVersion, newHighestModSeq).withAppended(all, newHighestModSeq);
    }

    private static void write(MetadataSnapshot target, int from, List<Row> rows) {
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            target.uids[from + i] = row.uid();
            target.modSeqs[from + i] = row.modSeq();
            target.sizes[from + i] = row.size();
            target.internalDates[from + i] = row.internalDateMillis();
            target.systemFlags[from + i] = (byte) row.systemFlags();
            target.keywords[from + i] = row.keywords();
        }
    }

    long contentVersion() {
        return contentVersion;
    }

    long highestModSeq() {
        return highestModSeq;
    }

    int size() {
        return size;
    }

    /** The slots held, written or not: what the snapshot costs in memory. */
    int capacity() {
        return uids.length;
    }

    /** The UIDs in ascending order, a copy. */
    long[] uids() {
        return Arrays.copyOf(uids, size);
    }

    /** How many of the messages are in {@code range}. */
    int countIn(MessageRange range) {
        return upperIndex(range) - lowerIndex(range);
    }

    /** Hands the messages of {@code range} to {@code visitor} in UID order, \Recent masked by {@code recentFrom}. */
    void visit(MessageRange range, long recentFrom, MetadataRowVisitor visitor) {
        int end = upperIndex(range);
        for (int i = lowerIndex(range); i < end; i++) {
            long uid = uids[i];
            visitor.row(uid, modSeqs[i], sizes[i], internalDates[i],
                RecentWatermark.mask(systemFlags[i], uid, recentFrom), keywords[i]);
        }
    }

    /** The UIDs at or above {@code from} whose stored \\Recent bit is set, ascending. */
    long[] storedRecentUids(long from) {
        long[] found = new long[size - insertionPoint(from)];
        int count = 0;
        for (int i = insertionPoint(from); i < size; i++) {
            if ((systemFlags[i] & MetadataRowVisitor.RECENT) != 0) {
                found[count++] = uids[i];
            }
        }
        return count == found.length ? found : Arrays.copyOf(found, count);
    }

    /** Whether this snapshot was read under later marks than {@code other} (the one worth keeping). */
    boolean newerThan(MetadataSnapshot other) {
        return contentVersion != other.contentVersion ? contentVersion > other.contentVersion
            : highestModSeq > other.highestModSeq;
    }

    private int indexOf(long uid) {
        return Arrays.binarySearch(uids, 0, size, uid);
    }

    private int lowerIndex(MessageRange range) {
        return insertionPoint(range.getUidFrom().asLong());
    }

    private int upperIndex(MessageRange range) {
        long to = range.getUidTo().asLong();
        return to == Long.MAX_VALUE ? size : insertionPoint(to + 1);
    }

    /** The index of the first UID at or above {@code uid}. */
    private int insertionPoint(long uid) {
        int found = indexOf(uid);
        return found >= 0 ? found : -found - 1;
    }
}
