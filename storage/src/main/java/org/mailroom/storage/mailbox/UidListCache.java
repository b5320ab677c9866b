package org.mailroom.storage.mailbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The UIDs of recently selected mailboxes, kept in memory as sorted arrays, the way Dovecot keeps an index:
 * every IMAP SELECT needs all UIDs of the mailbox, and reading 100,000 index rows each time costs far more than
 * checking one number. An entry is valid while the mailbox row's {@code content_version} (raised in the
 * transaction of every membership insert or delete) is unchanged, so the cache is correct even when several
 * servers share one PostgreSQL database.
 */
final class UidListCache {
    /** Bounds the memory the cache may take: 4 million UIDs, about 32 MB. */
    private static final long MAX_CACHED_UIDS = 4_000_000;

    private record Snapshot(long version, long[] uids) {
    }

    private final Cache<Long, Snapshot> snapshots = Caffeine.newBuilder()
        .maximumWeight(MAX_CACHED_UIDS)
        .weigher((Long mailbox, Snapshot snapshot) -> Math.max(1, snapshot.uids().length))
        .build();

    /** The mailbox's UIDs in ascending order, from the cache when it is current, else read and remembered. */
    long[] uids(Connection c, long mailboxId) throws SQLException {
        // The version is read before the UIDs: a change in between leaves a snapshot tagged with the older
        // version, which the next call finds out of date and reads again. A snapshot can never be newer than its tag.
        long version = contentVersion(c, mailboxId);
        Snapshot cached = snapshots.getIfPresent(mailboxId);
        if (cached != null && cached.version() == version) {
            return cached.uids();
        }
        long[] uids = readUids(c, mailboxId);
        snapshots.put(mailboxId, new Snapshot(version, uids));
        return uids;
    }

    private static long contentVersion(Connection c, long mailboxId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT content_version FROM mr_mailbox WHERE id = ?")) {
            ps.setLong(1, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    private static long[] readUids(Connection c, long mailboxId) throws SQLException {
        long[] uids = new long[1024];
        int size = 0;
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT uid FROM mr_mailbox_message WHERE mailbox_id = ? ORDER BY uid")) {
            ps.setLong(1, mailboxId);
            ps.setFetchSize(4096);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (size == uids.length) {
                        uids = Arrays.copyOf(uids, size * 2);
                    }
                    uids[size++] = rs.getLong(1);
                }
            }
        }
        return Arrays.copyOf(uids, size);
    }
}
