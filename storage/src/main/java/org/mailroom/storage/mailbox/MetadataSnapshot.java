package org.mailroom.storage.mailbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

import org.apache.james.mailbox.model.MessageRange;

/**
 * The metadata of every message of one mailbox (UID, MODSEQ, size, internal date, system flags, keywords) in
 * parallel primitive arrays sorted by UID, as Dovecot's index file keeps them: what SELECT's UID list and a FETCH of
 * flags and sizes read, without a row read per message. Immutable (a change makes a new snapshot), so sessions
 * share one without locks. It is exact for the mailbox row's marks it was read under ({@link MetadataSnapshots}
 * decides when those still hold). About 37 bytes per message: four longs, one byte, one reference (keywords are
 * null for most messages).
 */
final class MetadataSnapshot {
    /** The columns a snapshot reads per membership row, in {@link #load} order ({@code mm} is the membership). */
    static final String COLUMNS = "mm.uid, mm.modseq, mm.msg_size, mm.internal_date_millis, " + StoredFlags.COLUMNS;

    private final long contentVersion;
    private final long highestModSeq;
    private final long[] uids;
    private final long[] modSeqs;
    private final long[] sizes;
    private final long[] internalDates;
    /** The stored system flags, \Recent unmasked: the watermark is applied when the rows are visited. */
    private final byte[] systemFlags;
    private final String[] keywords;

    private MetadataSnapshot(long contentVersion, long highestModSeq, long[] uids, long[] modSeqs, long[] sizes,
                             long[] internalDates, byte[] systemFlags, String[] keywords) {
        this.contentVersion = contentVersion;
        this.highestModSeq = highestModSeq;
        this.uids = uids;
        this.modSeqs = modSeqs;
        this.sizes = sizes;
        this.internalDates = internalDates;
        this.systemFlags = systemFlags;
        this.keywords = keywords;
    }

    /** Reads every row of {@code rs} (the {@link #COLUMNS}, in UID order) into a snapshot tagged with the marks. */
    static MetadataSnapshot load(ResultSet rs, long contentVersion, long highestModSeq) throws SQLException {
        int capacity = 256;
        long[] uids = new long[capacity];
        long[] modSeqs = new long[capacity];
        long[] sizes = new long[capacity];
        long[] dates = new long[capacity];
        byte[] flags = new byte[capacity];
        String[] keywords = new String[capacity];
        int count = 0;
        while (rs.next()) {
            if (count == capacity) {
                capacity *= 2;
                uids = Arrays.copyOf(uids, capacity);
                modSeqs = Arrays.copyOf(modSeqs, capacity);
                sizes = Arrays.copyOf(sizes, capacity);
                dates = Arrays.copyOf(dates, capacity);
                flags = Arrays.copyOf(flags, capacity);
                keywords = Arrays.copyOf(keywords, capacity);
            }
            uids[count] = rs.getLong(1);
            modSeqs[count] = rs.getLong(2);
            sizes[count] = rs.getLong(3);
            dates[count] = rs.getLong(4);
            flags[count] = (byte) StoredFlags.readSystemFlags(rs, 5);
            keywords[count] = rs.getString(11);
            count++;
        }
        return new MetadataSnapshot(contentVersion, highestModSeq, Arrays.copyOf(uids, count),
            Arrays.copyOf(modSeqs, count), Arrays.copyOf(sizes, count), Arrays.copyOf(dates, count),
            Arrays.copyOf(flags, count), Arrays.copyOf(keywords, count));
    }

    /**
     * This snapshot with the flags and MODSEQs of the rows in {@code rs} (the {@link #COLUMNS} of rows whose MODSEQ
     * is above this snapshot's), tagged with the new MODSEQ mark. A row whose UID is not here was inserted after
     * the marks were read: the content version has moved on, so the next check reloads, and it is left out.
     */
    MetadataSnapshot withChangedRows(ResultSet rs, long newHighestModSeq) throws SQLException {
        long[] newModSeqs = modSeqs.clone();
        byte[] newFlags = systemFlags.clone();
        String[] newKeywords = keywords.clone();
        while (rs.next()) {
            int index = Arrays.binarySearch(uids, rs.getLong(1));
            if (index >= 0) {
                newModSeqs[index] = rs.getLong(2);
                newFlags[index] = (byte) StoredFlags.readSystemFlags(rs, 5);
                newKeywords[index] = rs.getString(11);
            }
        }
        return new MetadataSnapshot(contentVersion, newHighestModSeq, uids, newModSeqs, sizes, internalDates,
            newFlags, newKeywords);
    }

    long contentVersion() {
        return contentVersion;
    }

    long highestModSeq() {
        return highestModSeq;
    }

    int size() {
        return uids.length;
    }

    /** The UIDs in ascending order; shared, never to be modified. */
    long[] uids() {
        return uids;
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

    /** Whether this snapshot was read under later marks than {@code other} (the one worth keeping). */
    boolean newerThan(MetadataSnapshot other) {
        return contentVersion != other.contentVersion ? contentVersion > other.contentVersion
            : highestModSeq > other.highestModSeq;
    }

    private int lowerIndex(MessageRange range) {
        return insertionPoint(range.getUidFrom().asLong());
    }

    private int upperIndex(MessageRange range) {
        long to = range.getUidTo().asLong();
        return to == Long.MAX_VALUE ? uids.length : insertionPoint(to + 1);
    }

    /** The index of the first UID at or above {@code uid}. */
    private int insertionPoint(long uid) {
        int found = Arrays.binarySearch(uids, uid);
        return found >= 0 ? found : -found - 1;
    }
}
