package org.mailroom.storage.mailbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.apache.james.mailbox.model.MessageRange;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The {@link MetadataSnapshot}s of recently selected mailboxes. Every use first reads the mailbox row's marks in one
 * statement, and a snapshot is used only for the marks it was read under, so it is exact whoever wrote meanwhile
 * (SMTP delivery, other sessions, expunges, flag stores, another server on the same PostgreSQL database):
 * <ul>
 * <li>{@code content_version} rises in the transaction of every membership insert or delete, and of every row
 * change that takes no MODSEQ (a change of \Recent alone): a snapshot of another version is read again whole.</li>
 * <li>{@code highest_modseq} rises in every transaction that changes a row's flags, which takes its MODSEQ under the
 * mailbox row's lock and keeps it to the commit: once a reader sees the mark H, every row change with a MODSEQ up to
 * H is committed. A snapshot of the same version but a lower mark reads only the rows with a MODSEQ above its own.
 * </li>
 * <li>{@code first_recent_uid}, \Recent's watermark, is applied when rows are visited (the snapshot keeps the stored
 * bit), so claims by other sessions need no reload.</li>
 * </ul>
 * The marks are read before the rows: a change in between leaves a snapshot at least as new as its marks, which the
 * next use finds out of date. Memory is bounded by message count ({@link #MAX_CACHED_MESSAGES}, about 37 bytes
 * each), least recently used mailboxes first out.
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

    private final Cache<Long, MetadataSnapshot> snapshots = Caffeine.newBuilder()
        .maximumWeight(MAX_CACHED_MESSAGES)
        .weigher((Long mailbox, MetadataSnapshot snapshot) -> Math.max(1, snapshot.size()))
        .build();

    /** The mailbox's UIDs in ascending order (empty for a mailbox that is gone), from a snapshot of the current content. */
    long[] uids(Connection c, long mailboxId) throws SQLException {
        Marks marks = marks(c, mailboxId);
        if (marks == null) {
            return new long[0];
        }
        MetadataSnapshot cached = snapshots.getIfPresent(mailboxId);
        // a UID list needs the content version only: flag changes leave it as it is
        if (cached != null && cached.contentVersion() == marks.contentVersion()) {
            return cached.uids();
        }
        return load(c, mailboxId, marks).uids();
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

    /** The marks, or null when the mailbox is gone. */
    private static Marks marks(Connection c, long mailboxId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT content_version, highest_modseq, first_recent_uid FROM mr_mailbox WHERE id = ?")) {
            ps.setLong(1, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Marks(rs.getLong(1), rs.getLong(2), rs.getLong(3)) : null;
            }
        }
    }

    private MetadataSnapshot load(Connection c, long mailboxId, Marks marks) throws SQLException {
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
            try (ResultSet rs = ps.executeQuery()) {
                return keep(mailboxId, stale.withChangedRows(rs, marks.highestModSeq()));
            }
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
