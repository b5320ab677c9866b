package org.mailroom.storage.mailbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.Sql;

/**
 * Keeps {@code mr_current_quota} in the same transaction as the messages it counts. James's own way (a listener
 * that updates the quota after the append has committed) costs a second commit per message and leaves the quota
 * behind when the process dies in between; here a crash can never separate the two.
 */
final class QuotaUsage {
    private QuotaUsage() {
    }

    /**
     * The quota root of a mailbox, written exactly as James's {@code DefaultUserQuotaRootResolver} writes it
     * (namespace, '&amp;', user), which is the key {@code JdbcCurrentQuotaManager} reads; a test pins the two together.
     */
    static String rootOf(String namespace, String owner) {
        return owner.isEmpty() ? namespace : namespace + "&" + owner;
    }

    /** Adds (or, negative, removes) messages and bytes to the quota root owning the mailbox. */
    static void add(Connection c, long mailboxId, long messages, long bytes) throws SQLException {
        if (messages == 0 && bytes == 0) {
            return;
        }
        String root;
        try (PreparedStatement ps = c.prepareStatement("SELECT namespace, owner FROM mr_mailbox WHERE id = ?")) {
            ps.setLong(1, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                root = rootOf(rs.getString(1), rs.getString(2));
            }
        }
        addToRoot(c, root, messages, bytes);
    }

    /** Adds (or, negative, removes) messages and bytes to a quota root already known. */
    static void addToRoot(Connection c, String root, long messages, long bytes) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE mr_current_quota SET message_count = message_count + ?,"
            + " storage_bytes = storage_bytes + ? WHERE quota_root = ?")) {
            ps.setLong(1, messages);
            ps.setLong(2, bytes);
            ps.setString(3, root);
            if (ps.executeUpdate() == 0) {
                throw new MissingRow(root);
            }
        }
    }

    /**
     * Runs {@code work} in one transaction; if the owner's quota row does not exist yet, creates it in a
     * transaction of its own and runs {@code work} again. Creating the row inside {@code work} would let two first
     * messages of a user race on its primary key, and PostgreSQL abandons a transaction after such an error.
     */
    static <T> T inTransaction(Database db, Sql.Work<T> work) {
        try {
            return db.transaction(work);
        } catch (MissingRow missing) {
            createIfAbsent(db, missing.root);
            return db.transaction(work);
        }
    }

    private static void createIfAbsent(Database db, String root) {
        try {
            db.transactionVoid(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO mr_current_quota (quota_root, message_count, storage_bytes) VALUES (?, 0, 0)")) {
                    ps.setString(1, root);
                    ps.executeUpdate();
                }
            });
        } catch (org.mailroom.storage.schema.StorageException e) {
            // Another writer created it first: exactly what was needed.
            if (!(e.getCause() instanceof SQLException sql) || !db.dialect().isDuplicateKey(sql)) {
                throw e;
            }
        }
    }

    /** Signals, out of a transaction lambda, that the quota row must be created first. */
    static final class MissingRow extends RuntimeException {
        private final String root;

        MissingRow(String root) {
            super("no quota row for " + root, null, false, false);
            this.root = root;
        }
    }
}
