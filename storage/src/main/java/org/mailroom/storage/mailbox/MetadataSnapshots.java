package org.mailroom.storage.mailbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import org.apache.james.mailbox.model.MessageRange;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The {@link MetadataSnapshot}s of recently selected mailboxes. Every use first reads the mailbox row's marks in one
 * statement, and a snapshot is used only for the marks it was read under, so it is exact whoever wrote meanwhile
 * (SMTP delivery, other sessions, expunges, flag stores, another server on the same PostgreSQL database):
 * <ul>
 * <li>{@code content_version} rises in the transaction of every membership delete, of every insert whose UID and
 * MODSEQ were not taken in its own transaction (James's message-id API), and of every row change that takes no
 * MODSEQ (a change of \Recent alone): a snapshot of another version is read again whole.</li>
 * <li>{@code highest_modseq} rises in every transaction that changes a row's flags or appends, copies or moves a
 * message into the mailbox ({@link MessageRows#allocateForNewMemberships}): each takes its MODSEQs under the mailbox
 * row's lock and keeps it to the commit, so once a reader sees the mark H, every row change and insert with a MODSEQ
 * up to H is committed. A snapshot of the same version but a lower mark reads only the rows with a MODSEQ above its
 * own (new messages included).</li>
 * <li>{@code first_recent_uid}, \Recent's watermark, is applied when rows are visited (the snapshot keeps the stored
 * bit), so claims by other sessions need no reload.</li>
 * </ul>
 * The marks are read before the rows: a change in between leaves a snapshot at least as new as its marks, which the
 * next use finds out of date.
 * <p>
 * Appends this process commits extend the cached snapshot in memory ({@link #appended}), so a SELECT after 10,000
 * APPENDs reads no rows: a transaction that took the MODSEQs H+1..H' under the lock made every change numbered
 * H+1..H', so a snapshot exact for (V, H) plus its rows is exact for (V, H'); it keeps the version V it was read
 * under, so a delete or \Recent change made meanwhile (which raises the version, not the MODSEQ) still makes the
 * next use read it again whole. Appends whose predecessor is not the cached snapshot's mark (another server, a
 * flag update not applied, appends committed in another order) change nothing: the next use reads the rows past the
 * mark. Expunges this process commits take their UIDs out of the cached snapshot ({@link #expunged}) under the same
 * rule: only a snapshot of exactly the marks the expunge read under the mailbox row's lock becomes one of the version
 * it took, so an expunge does not make the next FETCH or SEARCH read the mailbox again. Memory is bounded by message slots ({@link #MAX_CACHED_MESSAGES}, about 37 bytes each, room for appends
 * included), least recently used mailboxes first out.
 */
final class MetadataSnapshots {
    /** About 37 MB of snapshots. */
    private static final long MAX_CACHED_MESSAGES = 1_000_000;
    /**
     * A stale snapshot is brought up to date for a FETCH only when the FETCH covers at least this share of the
     * mailbox (1/n); a FETCH of a few messages of a large mailbox that changed reads its rows directly instead.
     */
    private static final int REFRESH_FOR_ONE_IN = 4;

    /** The mailbox row's marks at one moment; see the class comment. */
    record Marks(long contentVersion, long highestModSeq, long recentFrom) {
    }

    /** How many times a snapshot was read whole from the rows (tests: appends and stores must not need it). */
    private final LongAdder wholeReads = new LongAdder();

    private final Cache<Long, MetadataSnapshot> snapshots = Caffeine.newBuilder()
        .maximumWeight(MAX_CACHED_MESSAGES)
        .weigher((Long mailbox, MetadataSnapshot snapshot) -> Math.max(1, snapshot.capacity()))
        .build();

    /** The mailbox's UIDs in ascending order (empty for a mailbox that is gone), from a snapshot of the current content. */
    long[] uids(Connection c, long mailboxId) throws SQLException {
        Marks marks = marks(c, mailboxId);
        if (marks == null) {
            return new long[0];
        }
        // appends raise the MODSEQ mark, not the version: the rows past the mark may hold new UIDs
        return current(c, mailboxId, marks).uids();
    }

    /**
     * Adds the messages an append, copy or move of this process has just committed to the mailbox's cached snapshot,
     * when the snapshot's MODSEQ mark is the one right before theirs ({@code rows}: the transaction's memberships in
     * UID order, with its consecutive MODSEQs, no other). A mailbox's first messages (UID 1) start a snapshot of
     * their own: before them the mailbox had never held a message (its version is then 0, which a mailbox keeps until
     * a delete or a change of \Recent; if that is not so the next use just reads it again).
     */
    void appended(long mailboxId, List<MetadataSnapshot.Row> rows) {
        if (rows.isEmpty()) {
            return;
        }
        long before = rows.get(0).modSeq() - 1;
        long after = rows.get(rows.size() - 1).modSeq();
        snapshots.asMap().compute(mailboxId, (id, cached) -> {
            if (cached == null) {
                return rows.get(0).uid() == 1 ? MetadataSnapshot.empty(0, before).withAppended(rows, after) : null;
            }
            return cached.highestModSeq() == before ? cached.withAppended(rows, after) : cached;
        });
    }

    /**
     * Applies a flag update this process has just committed to the mailbox's cached snapshot, when the snapshot's
     * MODSEQ mark is the one right before the update's {@code modSeq} ({@code rows}: every row the update gave that
     * MODSEQ, their size and date unused). Rows whose \Recent alone changed took no MODSEQ but raised the version, which
     * the snapshot keeps as it was: the next use reads it again whole.
     */
    void flagsChanged(long mailboxId, long modSeq, List<MetadataSnapshot.Row> rows) {
        long[] uids = rows.stream().mapToLong(MetadataSnapshot.Row::uid).toArray();
        snapshots.asMap().computeIfPresent(mailboxId, (id, cached) ->
            cached.highestModSeq() == modSeq - 1 && cached.holdsAll(uids) ? cached.withChangedRows(rows, modSeq) : cached);
    }

    /**
     * Removes the messages an expunge of this process has just committed from the mailbox's cached snapshot, when the
     * snapshot is the one of the marks the expunge read under the mailbox row's lock ({@code before}). That lock,
     * taken before the marks were read and held to the commit, kept every other writer out of the mailbox row, and
     * every change of a membership moves that row's marks; so the rows at commit were those of {@code before} less
     * {@code uids}, and the version the expunge took ({@code before}'s plus one) with the same MODSEQ mark is theirs.
     * A snapshot of other marks is left as it is (the next use finds out whether it is current); an expunge that did
     * not commit never reaches here.
     */
    void expunged(long mailboxId, Marks before, List<Long> uids) {
        snapshots.asMap().computeIfPresent(mailboxId, (id, cached) ->
            cached.contentVersion() == before.contentVersion() && cached.highestModSeq() == before.highestModSeq()
                ? cached.without(uids, before.contentVersion() + 1) : cached);
    }

    /**
     * The UIDs of {@code range} whose \Deleted flag is set, ascending, from a snapshot brought up to the current marks
     * (as {@link #uids}): what an expunge removes, without a scan of the mailbox's rows for the flag. Null when the
     * mailbox is gone.
     */
    List<Long> deletedUids(Connection c, long mailboxId, MessageRange range) throws SQLException {
        Marks marks = marks(c, mailboxId);
        if (marks == null) {
            return null;
        }
        return current(c, mailboxId, marks).uidsFlagged(range, MetadataRowVisitor.DELETED);
    }

    /** The cached snapshot brought up to {@code marks}: as it is, refreshed past its MODSEQ mark, or read again whole. */
    private MetadataSnapshot current(Connection c, long mailboxId, Marks marks) throws SQLException {
        MetadataSnapshot cached = snapshots.getIfPresent(mailboxId);
        if (cached == null || cached.contentVersion() != marks.contentVersion()) {
            return load(c, mailboxId, marks);
        }
        return cached.highestModSeq() == marks.highestModSeq() ? cached : refresh(c, mailboxId, cached, marks);
    }

    /**
     * Hands the messages of {@code range} to {@code visitor} from a current snapshot and returns true, or returns
     * false without visiting anything when bringing the snapshot up to date would cost more than reading the range's
     * rows directly.
     */
    boolean visit(Connection c, long mailboxId, MessageRange range, MetadataRowVisitor visitor) throws SQLException {
        Marks marks = marks(c, mailboxId);
        if (marks == null) {
            return true;
        }
        MetadataSnapshot snapshot = snapshots.getIfPresent(mailboxId);
        if (snapshot == null) {
            snapshot = load(c, mailboxId, marks);
        } else if (snapshot.contentVersion() != marks.contentVersion() || snapshot.highestModSeq() != marks.highestModSeq()) {
            if ((long) snapshot.countIn(range) * REFRESH_FOR_ONE_IN < snapshot.size()) {
                return false;
            }
            snapshot = snapshot.contentVersion() == marks.contentVersion()
                ? refresh(c, mailboxId, snapshot, marks) : load(c, mailboxId, marks);
        }
        snapshot.visit(range, marks.recentFrom(), visitor);
        return true;
    }

    /**
     * The UIDs at or above {@code from} whose stored \\Recent bit is set, ascending, from a snapshot brought up to the
     * marks read now, for a claim of the recent messages ({@link RecentWatermark#claimUids}); null when no snapshot of
     * the current content version is cached, so the claim reads the rows. The stored bit is exact in a snapshot of
     * the current version (a change of \\Recent alone raises it; appends and flag stores come with their rows).
     */
    long[] storedRecentUids(Connection c, long mailboxId, long from) throws SQLException {
        Marks marks = marks(c, mailboxId);
        MetadataSnapshot cached = snapshots.getIfPresent(mailboxId);
        if (marks == null || cached == null || cached.contentVersion() != marks.contentVersion()) {
            return null;
        }
        MetadataSnapshot current = cached.highestModSeq() == marks.highestModSeq() ? cached : refresh(c, mailboxId, cached, marks);
        return current.storedRecentUids(from);
    }

    /** The statement of {@link #marks}. */
    static final String MARKS = "SELECT content_version, highest_modseq, first_recent_uid FROM mr_mailbox WHERE id = ?";

    /** The marks, or null when the mailbox is gone. */
    static Marks marks(Connection c, long mailboxId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(MARKS)) {
            ps.setLong(1, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Marks(rs.getLong(1), rs.getLong(2), rs.getLong(3)) : null;
            }
        }
    }

    long wholeReads() {
        return wholeReads.sum();
    }

    private MetadataSnapshot load(Connection c, long mailboxId, Marks marks) throws SQLException {
        wholeReads.increment();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + MetadataSnapshot.COLUMNS
            + " FROM mr_mailbox_message mm WHERE mm.mailbox_id = ? ORDER BY mm.uid")) {
            ps.setLong(1, mailboxId);
            ps.setFetchSize(4096);
            try (ResultSet rs = ps.executeQuery()) {
                return keep(mailboxId, MetadataSnapshot.load(rs, marks.contentVersion(), marks.highestModSeq()));
            }
        }
    }

    private MetadataSnapshot refresh(Connection c, long mailboxId, MetadataSnapshot stale, Marks marks) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + MetadataSnapshot.COLUMNS
            + " FROM mr_mailbox_message mm WHERE mm.mailbox_id = ? AND mm.modseq > ?")) {
            ps.setLong(1, mailboxId);
            ps.setLong(2, stale.highestModSeq());
            List<MetadataSnapshot.Row> changed = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    changed.add(MetadataSnapshot.Row.read(rs));
                }
            }
            return keep(mailboxId, stale.withChangedRows(changed, marks.highestModSeq()));
        }
    }

    /**
     * Remembers {@code snapshot} unless a session already left a newer one; either is exact for its own marks, so
     * the choice only decides which one the next use can take without reading.
     */
    private MetadataSnapshot keep(long mailboxId, MetadataSnapshot snapshot) {
        snapshots.asMap().merge(mailboxId, snapshot, (old, fresh) -> fresh.newerThan(old) ? fresh : old);
        return snapshot;
    }
}
