package org.mailroom.storage.mailbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageUid;

/**
 * Decides which messages are \Recent, as Dovecot does: a membership is recent while its {@code is_recent} column
 * is TRUE and its UID is at or above its mailbox's {@code first_recent_uid} (V15). The session that claims the
 * recent messages (IMAP SELECT) moves the watermark past them with one conditional UPDATE of the mailbox row, so
 * no membership row is rewritten and only one claimer gets each message; rows below the watermark may keep a stale
 * {@code is_recent = TRUE}, which is why every reader of stored flags masks with {@link #mask} or
 * {@link #isRecent}. The column still carries what James's mapper contract asks of a single row (a message stored
 * without \Recent, or given it by a flag update).
 */
final class RecentWatermark {
    /** Read for a missing mailbox: nothing in it is recent. */
    static final long NONE = Long.MAX_VALUE;

    /** The watermark's read, and its move past newly seen recent messages (only if nobody moved it since). */
    static final String READ = "SELECT first_recent_uid FROM mr_mailbox WHERE id = ?";
    static final String MOVE_PAST = "UPDATE mr_mailbox SET first_recent_uid = ? WHERE id = ? AND first_recent_uid = ?";
    /**
     * The per-row watermark for queries over several mailboxes (a correlated scalar subquery, one primary-key
     * lookup per row: only for the few rows such queries return), read back as column {@code recent_from}.
     */
    static final String COLUMN = ", (SELECT wm.first_recent_uid FROM mr_mailbox wm WHERE wm.id = mm.mailbox_id) AS recent_from";

    private RecentWatermark() {
    }

    static long read(Connection c, long mailboxId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(READ)) {
            ps.setLong(1, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : NONE;
            }
        }
    }

    static boolean isRecent(boolean storedRecent, long uid, long recentFrom) {
        return storedRecent && uid >= recentFrom;
    }

    /** {@code flags} without \Recent when the row is below the watermark (the flags are the row's own, changed in place). */
    static Flags mask(Flags flags, long uid, long recentFrom) {
        if (uid < recentFrom && flags.contains(Flags.Flag.RECENT)) {
            flags.remove(Flags.Flag.RECENT);
        }
        return flags;
    }

    /** The system-flag bits of {@link MetadataRowVisitor} without \Recent when the row is below the watermark. */
    static int mask(int systemFlags, long uid, long recentFrom) {
        return uid < recentFrom ? systemFlags & ~MetadataRowVisitor.RECENT : systemFlags;
    }

    /** What one claim took: the recent rows it read (in UID order, through {@code rows}) and nothing else. */
    interface ClaimedRows<T> {
        /** Reads one claimed row; the statement selected {@code mm.uid} first, then what {@link #claim} was given. */
        T read(ResultSet rs) throws SQLException;
    }

    /**
     * Claims every recent message of the mailbox for the caller: reads the recent rows at or above the watermark
     * ({@code columns} after {@code mm.uid}) and moves the watermark past the highest of them, on the condition that
     * no one moved it since it was read; a claimer that lost that race reads again from the new watermark, so two
     * sessions never both get a message. Returns the rows read; nothing is written when nothing is recent.
     */
    static <T> List<T> claim(Connection c, long mailboxId, String columns, ClaimedRows<T> rows) throws SQLException {
        while (true) {
            long from = read(c, mailboxId);
            if (from == NONE) {
                throw new MessageRows.MissingMailbox(mailboxId);
            }
            List<T> claimed = new ArrayList<>();
            long highest = -1;
            try (PreparedStatement select = c.prepareStatement("SELECT mm.uid" + columns + " FROM mr_mailbox_message mm"
                    + " WHERE mm.mailbox_id = ? AND mm.uid >= ? AND mm.is_recent = TRUE ORDER BY mm.uid")) {
                select.setLong(1, mailboxId);
                select.setLong(2, from);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        highest = rs.getLong(1);
                        claimed.add(rows.read(rs));
                    }
                }
            }
            if (claimed.isEmpty()) {
                return claimed;
            }
            if (movePast(c, mailboxId, from, highest)) {
                return claimed;
            }
        }
    }

    /** Where a claim may find the recent UIDs without reading the rows. */
    interface KnownRecentUids {
        /** The UIDs at or above {@code from} stored as recent, ascending, or null when they must be read from the rows. */
        long[] at(Connection c, long from) throws SQLException;
    }

    /**
     * As {@link #claim} for the UIDs alone, taken from {@code known} when it has them (a SELECT after many appends
     * then reads no membership row) and from the rows otherwise. The same conditional UPDATE decides the race.
     */
    static List<MessageUid> claimUids(Connection c, long mailboxId, KnownRecentUids known) throws SQLException {
        while (true) {
            long from = read(c, mailboxId);
            if (from == NONE) {
                throw new MessageRows.MissingMailbox(mailboxId);
            }
            long[] uids = known.at(c, from);
            if (uids == null) {
                return claim(c, mailboxId, "", rs -> MessageUid.of(rs.getLong(1)));
            }
            if (uids.length == 0) {
                return List.of();
            }
            if (movePast(c, mailboxId, from, uids[uids.length - 1])) {
                List<MessageUid> claimed = new ArrayList<>(uids.length);
                for (long uid : uids) {
                    claimed.add(MessageUid.of(uid));
                }
                return claimed;
            }
        }
    }

    /** Moves the watermark from {@code from} past {@code highest}, unless someone moved it since it was read. */
    private static boolean movePast(Connection c, long mailboxId, long from, long highest) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(MOVE_PAST)) {
            update.setLong(1, highest + 1);
            update.setLong(2, mailboxId);
            update.setLong(3, from);
            return update.executeUpdate() == 1;
        }
    }

    /**
     * Makes the rows {@code uids} (below the watermark, about to be written with {@code is_recent = TRUE} by a flag
     * update that adds \Recent) recent again: the watermark comes down to the lowest of them, and the stale
     * {@code is_recent} of the rows it passes over is cleared first, so no other row turns recent. Rare: only
     * James's mapper API does this (IMAP cannot set \Recent). The caller holds the mailbox row's lock.
     */
    static void lowerTo(Connection c, long mailboxId, long lowestUid, long currentFrom) throws SQLException {
        try (PreparedStatement clear = c.prepareStatement("UPDATE mr_mailbox_message SET is_recent = FALSE"
                + " WHERE mailbox_id = ? AND uid >= ? AND uid < ? AND is_recent = TRUE")) {
            clear.setLong(1, mailboxId);
            clear.setLong(2, lowestUid);
            clear.setLong(3, currentFrom);
            clear.executeUpdate();
        }
        try (PreparedStatement update = c.prepareStatement("UPDATE mr_mailbox SET first_recent_uid = ? WHERE id = ?")) {
            update.setLong(1, lowestUid);
            update.setLong(2, mailboxId);
            update.executeUpdate();
        }
    }
}
