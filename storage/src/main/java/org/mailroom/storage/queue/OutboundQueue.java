package org.mailroom.storage.queue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.mailroom.storage.schema.Database;

/**
 * The outbound queue in the database: messages (bytes stored once), their recipients' states and the attempt
 * history. Every method is one committed transaction, so a caller that got an id back may tell a client "250".
 * Scheduling (when to look at a message again) is not kept here but in Quartz's tables; the next attempt time per
 * recipient is kept here too so that the queue alone says what is pending and the schedule can be rebuilt from it.
 */
public final class OutboundQueue {

    private static final String MESSAGE_COLUMNS = "id, sender, created_at, size, delay_warned, completed_at";

    private final Database database;

    public OutboundQueue(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    /** Stores a message for the given recipients (all QUEUED, due at {@code now}); returns its id once committed. */
    public long enqueue(String sender, List<String> recipients, byte[] content, Instant now) {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(content, "content");
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("a queued message needs at least one recipient");
        }
        return database.transaction(connection -> {
            long id;
            try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO mr_queue_message (sender, created_at, size, delay_warned, content) VALUES (?, ?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
                insert.setString(1, sender);
                insert.setLong(2, now.toEpochMilli());
                insert.setLong(3, content.length);
                insert.setBoolean(4, false);
                insert.setBytes(5, content);
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    id = keys.getLong(1);
                }
            }
            try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO mr_queue_recipient (message_id, position, address, state, attempts, next_attempt_at,"
                    + " updated_at) VALUES (?, ?, ?, ?, 0, ?, ?)")) {
                for (int i = 0; i < recipients.size(); i++) {
                    insert.setLong(1, id);
                    insert.setInt(2, i);
                    insert.setString(3, recipients.get(i));
                    insert.setString(4, RecipientState.QUEUED.name());
                    insert.setLong(5, now.toEpochMilli());
                    insert.setLong(6, now.toEpochMilli());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return id;
        });
    }

    /** Read in a (retried) transaction: a lock timeout under load must not fail a delivery attempt. */
    public Optional<QueuedMessage> find(long id) {
        return database.transaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                "SELECT " + MESSAGE_COLUMNS + " FROM mr_queue_message WHERE id = ?")) {
                select.setLong(1, id);
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(message(rs, recipients(connection, id)));
                }
            }
        });
    }

    /** The message bytes as queued (empty once the message is completed: history keeps no content). */
    public Optional<byte[]> content(long id) {
        return database.transaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                "SELECT content FROM mr_queue_message WHERE id = ?")) {
                select.setLong(1, id);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
                }
            }
        });
    }

    /** Messages still pending, oldest first, at most {@code limit}. */
    public List<QueuedMessage> list(int limit) {
        return list(limit, false);
    }

    /** Queued messages, oldest first, at most {@code limit}; with {@code completedToo} the kept history as well. */
    public List<QueuedMessage> list(int limit, boolean completedToo) {
        return database.read(connection -> {
            List<QueuedMessage> messages = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                "SELECT " + MESSAGE_COLUMNS + " FROM mr_queue_message"
                    + (completedToo ? "" : " WHERE completed_at IS NULL")
                    + " ORDER BY id FETCH FIRST " + limit + " ROWS ONLY")) {
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        messages.add(message(rs, List.of()));
                    }
                }
            }
            List<QueuedMessage> withRecipients = new ArrayList<>(messages.size());
            for (QueuedMessage m : messages) {
                withRecipients.add(new QueuedMessage(m.id(), m.sender(), m.createdAt(), m.size(), m.delayWarned(),
                    recipients(connection, m.id()), m.completedAt()));
            }
            return withRecipients;
        });
    }

    /** Ids of messages with at least one recipient not yet delivered or bounced. */
    public List<Long> pendingMessageIds() {
        return database.transaction(connection -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                "SELECT DISTINCT message_id FROM mr_queue_recipient WHERE state IN (?, ?) ORDER BY message_id")) {
                select.setString(1, RecipientState.QUEUED.name());
                select.setString(2, RecipientState.DEFERRED.name());
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            return ids;
        });
    }

    /**
     * Writes the outcome of one attempt: new states, attempt counts, next attempt times and last replies, plus one
     * history line per recipient, in one transaction. Recipients already final are left alone (an attempt never
     * revives a delivered or bounced recipient).
     */
    public void record(long id, List<RecipientOutcome> outcomes, Instant at) {
        database.transactionVoid(connection -> {
            Map<Integer, String> addresses = new LinkedHashMap<>();
            for (QueuedRecipient r : recipients(connection, id)) {
                if (!r.state().isFinal()) {
                    addresses.put(r.position(), r.address());
                }
            }
            try (PreparedStatement update = connection.prepareStatement(
                "UPDATE mr_queue_recipient SET state = ?, attempts = attempts + 1, next_attempt_at = ?, last_code = ?,"
                    + " last_status = ?, last_text = ?, updated_at = ? WHERE message_id = ? AND position = ?");
                 PreparedStatement history = connection.prepareStatement(
                     "INSERT INTO mr_queue_attempt (message_id, address, attempted_at, host, outcome, reply_code,"
                         + " reply_status, reply_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (RecipientOutcome outcome : outcomes) {
                    String address = addresses.get(outcome.position());
                    if (address == null) {
                        continue;
                    }
                    update.setString(1, outcome.state().name());
                    if (outcome.nextAttemptAt().isPresent()) {
                        update.setLong(2, outcome.nextAttemptAt().get().toEpochMilli());
                    } else {
                        update.setNull(2, Types.BIGINT);
                    }
                    update.setInt(3, outcome.reply().code());
                    update.setString(4, outcome.reply().status());
                    update.setString(5, outcome.reply().text());
                    update.setLong(6, at.toEpochMilli());
                    update.setLong(7, id);
                    update.setInt(8, outcome.position());
                    update.addBatch();

                    history.setLong(1, id);
                    history.setString(2, address);
                    history.setLong(3, at.toEpochMilli());
                    history.setString(4, outcome.host().map(h -> h.length() > 300 ? h.substring(0, 300) : h).orElse(null));
                    history.setString(5, outcome.state().name());
                    history.setInt(6, outcome.reply().code());
                    history.setString(7, outcome.reply().status());
                    history.setString(8, outcome.reply().text());
                    history.addBatch();
                }
                update.executeBatch();
                history.executeBatch();
            }
        });
    }

    /** Makes every pending recipient due at {@code when} (admin "retry now"); false if nothing is pending. */
    public boolean reschedule(long id, Instant when) {
        return database.transaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                "UPDATE mr_queue_recipient SET next_attempt_at = ? WHERE message_id = ? AND state IN (?, ?)")) {
                update.setLong(1, when.toEpochMilli());
                update.setLong(2, id);
                update.setString(3, RecipientState.QUEUED.name());
                update.setString(4, RecipientState.DEFERRED.name());
                return update.executeUpdate() > 0;
            }
        });
    }

    /** Notes that the delay warning went out; false if it already had (so it goes out once). */
    public boolean markDelayWarned(long id) {
        return database.transaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                "UPDATE mr_queue_message SET delay_warned = ? WHERE id = ? AND delay_warned = ?")) {
                update.setBoolean(1, true);
                update.setLong(2, id);
                update.setBoolean(3, false);
                return update.executeUpdate() == 1;
            }
        });
    }

    /**
     * Marks the message completed (every recipient final) at {@code at}, keeping its recipients and attempt history
     * but dropping its bytes; false if it was not there or already completed.
     */
    public boolean complete(long id, Instant at) {
        return database.transaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                "UPDATE mr_queue_message SET completed_at = ?, content = ? WHERE id = ? AND completed_at IS NULL")) {
                update.setLong(1, at.toEpochMilli());
                update.setBytes(2, new byte[0]);
                update.setLong(3, id);
                return update.executeUpdate() == 1;
            }
        });
    }

    /** Deletes the messages completed before {@code before}, with their recipients and history; how many. */
    public int purgeCompletedBefore(Instant before) {
        return database.transaction(connection -> {
            try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM mr_queue_message WHERE completed_at IS NOT NULL AND completed_at < ?")) {
                delete.setLong(1, before.toEpochMilli());
                return delete.executeUpdate();
            }
        });
    }

    /** Removes a message with its recipients and history; false if there was none. */
    public boolean delete(long id) {
        return database.transaction(connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM mr_queue_message WHERE id = ?")) {
                delete.setLong(1, id);
                return delete.executeUpdate() == 1;
            }
        });
    }

    /** The attempt history of a message, oldest first. */
    public List<AttemptRecord> history(long id) {
        return database.read(connection -> {
            List<AttemptRecord> lines = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                "SELECT address, attempted_at, host, outcome, reply_code, reply_status, reply_text FROM mr_queue_attempt"
                    + " WHERE message_id = ? ORDER BY id")) {
                select.setLong(1, id);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        lines.add(new AttemptRecord(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)),
                            Optional.ofNullable(rs.getString(3)), RecipientState.valueOf(rs.getString(4)),
                            reply(rs, 5)));
                    }
                }
            }
            return lines;
        });
    }

    private static QueuedMessage message(ResultSet rs, List<QueuedRecipient> recipients) throws SQLException {
        long completed = rs.getLong(6);
        Optional<Instant> completedAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(completed));
        return new QueuedMessage(rs.getLong(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)), rs.getLong(4),
            rs.getBoolean(5), recipients, completedAt);
    }

    private static List<QueuedRecipient> recipients(Connection connection, long id) throws SQLException {
        List<QueuedRecipient> recipients = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
            "SELECT position, address, state, attempts, next_attempt_at, last_code, last_status, last_text, updated_at"
                + " FROM mr_queue_recipient WHERE message_id = ? ORDER BY position")) {
            select.setLong(1, id);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    long next = rs.getLong(5);
                    Optional<Instant> nextAttempt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(next));
                    recipients.add(new QueuedRecipient(rs.getInt(1), rs.getString(2),
                        RecipientState.valueOf(rs.getString(3)), rs.getInt(4), nextAttempt, reply(rs, 6),
                        Instant.ofEpochMilli(rs.getLong(9))));
                }
            }
        }
        return recipients;
    }

    private static Optional<DeliveryReply> reply(ResultSet rs, int column) throws SQLException {
        int code = rs.getInt(column);
        if (rs.wasNull()) {
            return Optional.empty();
        }
        return Optional.of(new DeliveryReply(code, rs.getString(column + 1), rs.getString(column + 2)));
    }
}
