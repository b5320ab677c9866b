package org.mailroom.storage.mailbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.apache.james.mailbox.ModSeq;

/**
 * The mailbox row as a flag update sees it: locked first (so concurrent updates of one mailbox run one after the
 * other), then its MODSEQ and \Recent watermark read in one statement, and at the end its new MODSEQ and unseen
 * count written in one statement. While the lock is held no other writer can move either value (every writer of
 * {@code highest_modseq} and {@code first_recent_uid} updates this row, so it waits for the commit), which is why
 * the MODSEQ can be taken as the value read plus one instead of incremented and read back. A STORE used to run
 * five statements on this row (lock, watermark, increment, read back, counters); it runs three.
 */
final class FlagUpdateMailboxRow {
    private final long mailboxId;
    private final long recentFrom;
    private final long highestModSeq;

    private FlagUpdateMailboxRow(long mailboxId, long recentFrom, long highestModSeq) {
        this.mailboxId = mailboxId;
        this.recentFrom = recentFrom;
        this.highestModSeq = highestModSeq;
    }

    /** Locks the row until the transaction ends and reads it; a missing mailbox fails with MissingMailbox. */
    static FlagUpdateMailboxRow lock(Connection c, long mailboxId) throws SQLException {
        MessageRows.lockMailbox(c, mailboxId);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT first_recent_uid, highest_modseq FROM mr_mailbox WHERE id = ?")) {
            ps.setLong(1, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new FlagUpdateMailboxRow(mailboxId, rs.getLong(1), rs.getLong(2));
            }
        }
    }

    /** The first UID still \Recent (see {@link RecentWatermark}). */
    long recentFrom() {
        return recentFrom;
    }

    /** The MODSEQ this update's changed rows take; {@link #write} records it as the mailbox's highest. */
    ModSeq nextModSeq() {
        return ModSeq.of(highestModSeq + 1);
    }

    /**
     * Records the update: {@code modSeq} (from {@link #nextModSeq}, or null when no row's metadata changed), the
     * change of the unseen count, and whether a row changed without taking a MODSEQ (\Recent alone, a lowered
     * watermark): that raises the content version, since the metadata snapshots follow MODSEQs
     * ({@link MetadataSnapshots}). Writes nothing when none of them changed.
     */
    void write(Connection c, ModSeq modSeq, long unseenDelta, boolean changedWithoutModSeq) throws SQLException {
        if (modSeq == null && unseenDelta == 0 && !changedWithoutModSeq) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE mr_mailbox SET highest_modseq = ?,"
                + " unseen_count = unseen_count + ?, content_version = content_version + ? WHERE id = ?")) {
            ps.setLong(1, modSeq == null ? highestModSeq : modSeq.asLong());
            ps.setLong(2, unseenDelta);
            ps.setLong(3, changedWithoutModSeq ? 1 : 0);
            ps.setLong(4, mailboxId);
            ps.executeUpdate();
        }
    }
}
