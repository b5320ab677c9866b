package org.mailroom.storage.mailbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import org.apache.james.mailbox.model.MailboxAnnotation;
import org.apache.james.mailbox.model.MailboxAnnotationKey;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.AnnotationMapper;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.StorageException;

import com.google.common.base.Preconditions;

/**
 * The IMAP METADATA annotations of each mailbox, kept in {@code mr_annotation} under their lower-cased keys
 * (keys compare case-insensitively) and selected by key prefix in SQL rather than in memory.
 */
public final class JdbcAnnotationMapper implements AnnotationMapper {
    /** A concurrent insert of the same key can win once; the retry then finds it and updates. */
    private static final int INSERT_ATTEMPTS = 3;
    private static final String SELECT = "SELECT annotation_key, annotation_value FROM mr_annotation WHERE mailbox_id = ?";

    private final Database db;

    public JdbcAnnotationMapper(Database db) {
        this.db = db;
    }

    @Override
    public List<MailboxAnnotation> getAllAnnotations(MailboxId mailboxId) {
        return select(mailboxId, "", List.of());
    }

    @Override
    public List<MailboxAnnotation> getAnnotationsByKeys(MailboxId mailboxId, Set<MailboxAnnotationKey> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        List<String> parameters = keys.stream().map(MailboxAnnotationKey::asString).distinct().toList();
        String placeholders = String.join(", ", Collections.nCopies(parameters.size(), "?"));
        return select(mailboxId, " AND annotation_key IN (" + placeholders + ")", parameters);
    }

    @Override
    public List<MailboxAnnotation> getAnnotationsByKeysWithOneDepth(MailboxId mailboxId, Set<MailboxAnnotationKey> keys) {
        // The key itself, or one more component: matches 'key/%' but not 'key/%/%'.
        return selectByPrefix(mailboxId, keys,
            "(annotation_key = ? OR (annotation_key LIKE ? " + LikePattern.ESCAPE
                + " AND annotation_key NOT LIKE ? " + LikePattern.ESCAPE + "))",
            key -> List.of(key, LikePattern.escape(key) + "/%", LikePattern.escape(key) + "/%/%"));
    }

    @Override
    public List<MailboxAnnotation> getAnnotationsByKeysWithAllDepth(MailboxId mailboxId, Set<MailboxAnnotationKey> keys) {
        return selectByPrefix(mailboxId, keys,
            "(annotation_key = ? OR annotation_key LIKE ? " + LikePattern.ESCAPE + ")",
            key -> List.of(key, LikePattern.escape(key) + "/%"));
    }

    @Override
    public void deleteAnnotation(MailboxId mailboxId, MailboxAnnotationKey key) {
        db.read(connection -> {
            try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM mr_annotation WHERE mailbox_id = ? AND annotation_key = ?")) {
                delete.setLong(1, StoredMailboxId.of(mailboxId).value());
                delete.setString(2, key.asString());
                return delete.executeUpdate();
            }
        });
    }

    @Override
    public void insertAnnotation(MailboxId mailboxId, MailboxAnnotation annotation) {
        Preconditions.checkArgument(!annotation.isNil(), "A nil annotation is a deletion, not a value to store");
        long id = StoredMailboxId.of(mailboxId).value();
        String key = annotation.getKey().asString();
        String value = annotation.getValue().orElseThrow();
        // PostgreSQL text cannot hold U+0000; refuse it on every engine so behaviour does not depend on the database.
        Preconditions.checkArgument(value.indexOf('\0') < 0, "An annotation value may not contain a NUL character");
        for (int attempt = 1; ; attempt++) {
            try {
                db.transactionVoid(connection -> {
                    if (update(connection, id, key, value) == 0) {
                        insert(connection, id, key, value);
                    }
                });
                return;
            } catch (StorageException e) {
                // PostgreSQL aborts the transaction on a duplicate key, so the retry runs in a fresh one.
                if (attempt >= INSERT_ATTEMPTS || !(e.getCause() instanceof SQLException sql) || !db.dialect().isDuplicateKey(sql)) {
                    throw e;
                }
            }
        }
    }

    @Override
    public boolean exist(MailboxId mailboxId, MailboxAnnotation annotation) {
        return db.read(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                "SELECT 1 FROM mr_annotation WHERE mailbox_id = ? AND annotation_key = ?")) {
                select.setLong(1, StoredMailboxId.of(mailboxId).value());
                select.setString(2, annotation.getKey().asString());
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public int countAnnotations(MailboxId mailboxId) {
        return db.read(connection -> {
            try (PreparedStatement count = connection.prepareStatement(
                "SELECT COUNT(*) FROM mr_annotation WHERE mailbox_id = ?")) {
                count.setLong(1, StoredMailboxId.of(mailboxId).value());
                try (ResultSet rs = count.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    private List<MailboxAnnotation> selectByPrefix(MailboxId mailboxId, Set<MailboxAnnotationKey> keys, String condition,
                                                   Function<String, List<String>> parametersOfKey) {
        if (keys.isEmpty()) {
            return List.of();
        }
        List<String> distinctKeys = keys.stream().map(MailboxAnnotationKey::asString).distinct().toList();
        List<String> parameters = new ArrayList<>();
        distinctKeys.forEach(key -> parameters.addAll(parametersOfKey.apply(key)));
        // One OR per key keeps each row once even when the requested keys overlap.
        String conditions = String.join(" OR ", Collections.nCopies(distinctKeys.size(), condition));
        return select(mailboxId, " AND (" + conditions + ")", parameters);
    }

    private List<MailboxAnnotation> select(MailboxId mailboxId, String filter, List<String> parameters) {
        return db.read(connection -> {
            try (PreparedStatement select = connection.prepareStatement(SELECT + filter)) {
                select.setLong(1, StoredMailboxId.of(mailboxId).value());
                for (int i = 0; i < parameters.size(); i++) {
                    select.setString(i + 2, parameters.get(i));
                }
                List<MailboxAnnotation> annotations = new ArrayList<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        // getString reads the CLOB (Derby) and TEXT (PostgreSQL) value alike.
                        annotations.add(MailboxAnnotation.newInstance(new MailboxAnnotationKey(rs.getString(1)), rs.getString(2)));
                    }
                }
                return annotations;
            }
        });
    }

    private static int update(Connection connection, long mailboxId, String key, String value) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
            "UPDATE mr_annotation SET annotation_value = ? WHERE mailbox_id = ? AND annotation_key = ?")) {
            update.setString(1, value);
            update.setLong(2, mailboxId);
            update.setString(3, key);
            return update.executeUpdate();
        }
    }

    private static void insert(Connection connection, long mailboxId, String key, String value) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO mr_annotation (mailbox_id, annotation_key, annotation_value) VALUES (?, ?, ?)")) {
            insert.setLong(1, mailboxId);
            insert.setString(2, key);
            insert.setString(3, value);
            insert.executeUpdate();
        }
    }

    /**
     * Valid keys hold only letters, digits and '/', so this never fires today; it keeps a future, looser key
     * syntax from turning '%' or '_' into wildcards that would leak sibling annotations.
     */
}
