package org.mailroom.storage.mailbox;

import java.sql.PreparedStatement;
import java.sql.SQLException;

import org.apache.james.mailbox.model.MessageRange;

/** Turns an IMAP UID range into a SQL condition on a UID column and binds its parameters. */
final class UidRangeClause {
    private final MessageRange range;
    private final String column;

    /** A condition on {@code mm.uid}, the alias every joined message query uses. */
    UidRangeClause(MessageRange range) {
        this(range, "mm.uid");
    }

    UidRangeClause(MessageRange range, String column) {
        this.range = range;
        this.column = column;
    }

    String sql() {
        return switch (range.getType()) {
            case ONE -> " AND " + column + " = ?";
            case RANGE -> " AND " + column + " BETWEEN ? AND ?";
            case FROM -> " AND " + column + " >= ?";
            case ALL -> "";
        };
    }

    int bind(PreparedStatement ps, int index) throws SQLException {
        switch (range.getType()) {
            case ONE, FROM -> ps.setLong(index++, range.getUidFrom().asLong());
            case RANGE -> {
                ps.setLong(index++, range.getUidFrom().asLong());
                ps.setLong(index++, range.getUidTo().asLong());
            }
            case ALL -> {
            }
        }
        return index;
    }
}
