package org.mailroom.storage.mailbox;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

import javax.mail.Flags;

/**
 * Maps IMAP flags to the six system-flag columns and the space-separated keyword column of
 * {@code mr_mailbox_message} (keywords are IMAP atoms, so they never contain a space).
 */
final class StoredFlags {
    /** The flag columns in the order {@link #bind} writes them. */
    static final String COLUMNS = "is_answered, is_deleted, is_draft, is_flagged, is_recent, is_seen, user_flags";
    static final String ASSIGNMENTS = "is_answered = ?, is_deleted = ?, is_draft = ?, is_flagged = ?, is_recent = ?, is_seen = ?, user_flags = ?";
    static final int COUNT = 7;

    private StoredFlags() {
    }

    static int bind(PreparedStatement ps, int index, Flags flags) throws SQLException {
        ps.setBoolean(index++, flags.contains(Flags.Flag.ANSWERED));
        ps.setBoolean(index++, flags.contains(Flags.Flag.DELETED));
        ps.setBoolean(index++, flags.contains(Flags.Flag.DRAFT));
        ps.setBoolean(index++, flags.contains(Flags.Flag.FLAGGED));
        ps.setBoolean(index++, flags.contains(Flags.Flag.RECENT));
        ps.setBoolean(index++, flags.contains(Flags.Flag.SEEN));
        ps.setString(index++, encodeKeywords(flags));
        return index;
    }

    /** The flags from the {@link #COLUMNS} starting at column {@code first} (reading by position, not by name). */
    static Flags read(ResultSet rs, int first) throws SQLException {
        Flags flags = new Flags();
        if (rs.getBoolean(first)) {
            flags.add(Flags.Flag.ANSWERED);
        }
        if (rs.getBoolean(first + 1)) {
            flags.add(Flags.Flag.DELETED);
        }
        if (rs.getBoolean(first + 2)) {
            flags.add(Flags.Flag.DRAFT);
        }
        if (rs.getBoolean(first + 3)) {
            flags.add(Flags.Flag.FLAGGED);
        }
        if (rs.getBoolean(first + 4)) {
            flags.add(Flags.Flag.RECENT);
        }
        if (rs.getBoolean(first + 5)) {
            flags.add(Flags.Flag.SEEN);
        }
        addKeywords(flags, rs.getString(first + 6));
        return flags;
    }

    /** The six system-flag columns starting at column {@code first} as {@link MetadataRowVisitor}'s bits. */
    static int readSystemFlags(ResultSet rs, int first) throws SQLException {
        int bits = 0;
        if (rs.getBoolean(first)) {
            bits |= MetadataRowVisitor.ANSWERED;
        }
        if (rs.getBoolean(first + 1)) {
            bits |= MetadataRowVisitor.DELETED;
        }
        if (rs.getBoolean(first + 2)) {
            bits |= MetadataRowVisitor.DRAFT;
        }
        if (rs.getBoolean(first + 3)) {
            bits |= MetadataRowVisitor.FLAGGED;
        }
        if (rs.getBoolean(first + 4)) {
            bits |= MetadataRowVisitor.RECENT;
        }
        if (rs.getBoolean(first + 5)) {
            bits |= MetadataRowVisitor.SEEN;
        }
        return bits;
    }

    /** The system flags of {@code flags} as {@link MetadataRowVisitor}'s bits (what {@link #readSystemFlags} reads back). */
    static int systemFlagBits(Flags flags) {
        int bits = 0;
        bits |= flags.contains(Flags.Flag.ANSWERED) ? MetadataRowVisitor.ANSWERED : 0;
        bits |= flags.contains(Flags.Flag.DELETED) ? MetadataRowVisitor.DELETED : 0;
        bits |= flags.contains(Flags.Flag.DRAFT) ? MetadataRowVisitor.DRAFT : 0;
        bits |= flags.contains(Flags.Flag.FLAGGED) ? MetadataRowVisitor.FLAGGED : 0;
        bits |= flags.contains(Flags.Flag.RECENT) ? MetadataRowVisitor.RECENT : 0;
        bits |= flags.contains(Flags.Flag.SEEN) ? MetadataRowVisitor.SEEN : 0;
        return bits;
    }

    static Flags read(ResultSet rs) throws SQLException {
        Flags flags = new Flags();
        if (rs.getBoolean("is_answered")) {
            flags.add(Flags.Flag.ANSWERED);
        }
        if (rs.getBoolean("is_deleted")) {
            flags.add(Flags.Flag.DELETED);
        }
        if (rs.getBoolean("is_draft")) {
            flags.add(Flags.Flag.DRAFT);
        }
        if (rs.getBoolean("is_flagged")) {
            flags.add(Flags.Flag.FLAGGED);
        }
        if (rs.getBoolean("is_recent")) {
            flags.add(Flags.Flag.RECENT);
        }
        if (rs.getBoolean("is_seen")) {
            flags.add(Flags.Flag.SEEN);
        }
        addKeywords(flags, rs.getString("user_flags"));
        return flags;
    }

    static void addKeywords(Flags flags, String encoded) {
        if (encoded != null && !encoded.isEmpty()) {
            for (String keyword : encoded.split(" ")) {
                flags.add(keyword);
            }
        }
    }

    static String encodeKeywords(Flags flags) {
        String[] keywords = flags.getUserFlags();
        if (keywords.length == 0) {
            return null;
        }
        if (keywords.length == 1) {
            // Every delivery's case (the sorter's one $Junk or $NotJunk): no sort and no stream for one name.
            return keywords[0];
        }
        // Sorted, so equal keyword sets store equal strings (getUserFlags returns a fresh array: ours to sort).
        Arrays.sort(keywords);
        return String.join(" ", keywords);
    }
}
