package org.mailroom.storage.sorter;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import org.mailroom.sorter.importance.ArrivalWrites;
import org.mailroom.sorter.importance.ContactStats;
import org.mailroom.sorter.importance.FeatureVector;
import org.mailroom.sorter.importance.ImportanceState;
import org.mailroom.sorter.importance.LabelWrites;
import org.mailroom.sorter.importance.PendingMessage;
import org.mailroom.sorter.importance.ThreadStats;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.StorageException;

/**
 * The importance model's state in the database (tables {@code mr_importance_*}, migration V8): contact and thread
 * statistics, pending messages with their arrival features, and the model weights. Every write commits before it
 * returns, so learning survives a restart; a batch of arrivals ({@link #saveArrivals}) commits once, and so does a batch
 * of labels ({@link #saveLabels}). Keys longer than
 * their columns are cut (two such keys may then share a row, which only blurs a statistic).
 *
 * <p>Contact and thread rows are cached like the weights: every decision reads the user's totals, the sender and
 * the thread, and without the cache those were a query each per recipient. All writes go through this instance
 * and put what they committed into the cache ({@link #committed}, the one place), or drop it when the write failed.
 */
public final class JdbcImportanceState implements ImportanceState {

    private static final int ADDRESS_MAX = 320;
    private static final int KEY_MAX = 512;
    /** Keys per IN list when reading weights: small enough for every driver, few round trips per message. */
    private static final int IN_CHUNK = 100;
    private static final String SELECT_WEIGHTS =
        "SELECT feature_key, weight, squared_gradient FROM mr_importance_weight WHERE feature_key IN ("
            + String.join(", ", Collections.nCopies(IN_CHUNK, "?")) + ")";
    private static final int WRITE_ATTEMPTS = 3;

    /** Weight rows kept in memory by default: about 100 bytes each, so some 20 MB at most. */
    public static final int DEFAULT_CACHED_WEIGHTS = 200_000;
    /**
     * How long a cached weight is trusted: this instance writes through its cache, but several servers sharing one
     * PostgreSQL database learn into the same rows, and their updates should reach the others eventually.
     */
    private static final Duration WEIGHT_TTL = Duration.ofMinutes(10);
    private static final double[] ABSENT = {0, 0};

    private final Database db;
    /**
     * Feature key to {weight, squared gradient}, also for keys with no row ({@link #ABSENT}: most of a message's
     * per-user keys never got one). Every decision reads some 250 weights; without this each would be a query.
     * Written through on commit, so it never holds a value older than what this instance wrote.
     */
    private final Cache<Long, double[]> weights;
    private final LongAdder weightsReadFromDatabase = new LongAdder();
    /** Default bound of cached contact rows, and of thread rows (each a few hundred bytes at most). */
    public static final int DEFAULT_CACHED_ROWS = 100_000;

    /** A row's key as stored (cut to the column widths). */
    private record RowKey(String user, String key) {
    }

    /** Contact rows by (user, address), also for addresses with no row ({@link ContactStats#unknown}). */
    private final Cache<RowKey, ContactStats> contacts;
    /** Thread rows by (user, thread key), also for keys with no row ({@link ThreadStats#unknown}). */
    private final Cache<RowKey, ThreadStats> threads;
    private final LongAdder rowsReadFromDatabase = new LongAdder();

    public JdbcImportanceState(Database db) {
        this(db, DEFAULT_CACHED_WEIGHTS);
    }

    /** {@code cachedWeights} weight rows at most are kept in memory (0: none, every read queries). */
    public JdbcImportanceState(Database db, int cachedWeights) {
        this.db = db;
        this.weights = Caffeine.newBuilder().maximumSize(cachedWeights).expireAfterWrite(WEIGHT_TTL).build();
        // Same trust as the weights: written through here, refreshed after the TTL for servers sharing a database.
        int cachedRows = cachedWeights == 0 ? 0 : DEFAULT_CACHED_ROWS;
        this.contacts = Caffeine.newBuilder().maximumSize(cachedRows).expireAfterWrite(WEIGHT_TTL).build();
        this.threads = Caffeine.newBuilder().maximumSize(cachedRows).expireAfterWrite(WEIGHT_TTL).build();
    }

    /** How many contact and thread rows were read from the database rather than the cache. */
    public long rowsReadFromDatabase() {
        return rowsReadFromDatabase.sum();
    }

    /** How many weight keys were read from the database rather than the cache since this instance was made. */
    public long weightsReadFromDatabase() {
        return weightsReadFromDatabase.sum();
    }

    @Override
    public ContactStats contact(String user, String address) {
        RowKey key = new RowKey(cut(user, ADDRESS_MAX), cut(address, ADDRESS_MAX));
        ContactStats cached = contacts.getIfPresent(key);
        if (cached != null) {
            return cached.address().equals(address) ? cached : new ContactStats(address, cached.received(),
                cached.replied(), cached.sentTo(), cached.lastReceived(), cached.lastSent());
        }
        ContactStats read = readContact(user, address);
        rowsReadFromDatabase.increment();
        // putIfAbsent: a write that committed meanwhile has already put its newer row, and it wins.
        contacts.asMap().putIfAbsent(key, read);
        return read;
    }

    private ContactStats readContact(String user, String address) {
        String a = cut(address, ADDRESS_MAX);
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT received, replied, sent_to, last_received, last_sent"
                + " FROM mr_importance_contact WHERE username = ? AND address = ?")) {
                s.setString(1, cut(user, ADDRESS_MAX));
                s.setString(2, a);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return ContactStats.unknown(address);
                    }
                    return new ContactStats(address, rs.getInt(1), rs.getInt(2), rs.getInt(3), instant(rs, 4),
                        instant(rs, 5));
                }
            }
        });
    }

    @Override
    public void saveContact(String user, ContactStats contact) {
        saveArrivals(new ArrivalWrites(List.of(new ArrivalWrites.Row<>(user, contact)), List.of(), List.of()));
    }

    private static void writeContact(Connection c, String user, ContactStats contact) throws SQLException {
        int updated;
        try (PreparedStatement s = c.prepareStatement("UPDATE mr_importance_contact SET received = ?, replied = ?,"
            + " sent_to = ?, last_received = ?, last_sent = ? WHERE username = ? AND address = ?")) {
            contactValues(s, contact, 1);
            s.setString(6, cut(user, ADDRESS_MAX));
            s.setString(7, cut(contact.address(), ADDRESS_MAX));
            updated = s.executeUpdate();
        }
        if (updated == 0) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO mr_importance_contact (received, replied,"
                + " sent_to, last_received, last_sent, username, address) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                contactValues(s, contact, 1);
                s.setString(6, cut(user, ADDRESS_MAX));
                s.setString(7, cut(contact.address(), ADDRESS_MAX));
                s.executeUpdate();
            }
        }
    }

    private static void contactValues(PreparedStatement s, ContactStats contact, int from) throws SQLException {
        s.setInt(from, contact.received());
        s.setInt(from + 1, contact.replied());
        s.setInt(from + 2, contact.sentTo());
        setInstant(s, from + 3, contact.lastReceived());
        setInstant(s, from + 4, contact.lastSent());
    }

    @Override
    public ThreadStats thread(String user, String key) {
        RowKey rowKey = new RowKey(cut(user, ADDRESS_MAX), cut(key, KEY_MAX));
        ThreadStats cached = threads.getIfPresent(rowKey);
        if (cached != null) {
            return cached.key().equals(key) ? cached : new ThreadStats(key, cached.sent(), cached.received(),
                cached.startedByUser(), cached.lastActivity());
        }
        ThreadStats read = readThread(user, key);
        rowsReadFromDatabase.increment();
        threads.asMap().putIfAbsent(rowKey, read);
        return read;
    }

    private ThreadStats readThread(String user, String key) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT sent, received, started_by_user, last_activity"
                + " FROM mr_importance_thread WHERE username = ? AND thread_key = ?")) {
                s.setString(1, cut(user, ADDRESS_MAX));
                s.setString(2, cut(key, KEY_MAX));
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return ThreadStats.unknown(key);
                    }
                    return new ThreadStats(key, rs.getInt(1), rs.getInt(2), rs.getBoolean(3), instant(rs, 4));
                }
            }
        });
    }

    @Override
    public void saveThread(String user, ThreadStats thread) {
        saveArrivals(new ArrivalWrites(List.of(), List.of(new ArrivalWrites.Row<>(user, thread)), List.of()));
    }

    private static void writeThread(Connection c, String user, ThreadStats thread) throws SQLException {
        int updated;
        try (PreparedStatement s = c.prepareStatement("UPDATE mr_importance_thread SET sent = ?, received = ?,"
            + " started_by_user = ?, last_activity = ? WHERE username = ? AND thread_key = ?")) {
            threadValues(s, user, thread);
            updated = s.executeUpdate();
        }
        if (updated == 0) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO mr_importance_thread (sent, received,"
                + " started_by_user, last_activity, username, thread_key) VALUES (?, ?, ?, ?, ?, ?)")) {
                threadValues(s, user, thread);
                s.executeUpdate();
            }
        }
    }

    /**
     * Pending messages, contact rows and thread rows in one transaction; each row is updated, or inserted when it
     * does not exist yet (a lost race to insert, with another server on the same database, starts the whole
     * transaction again). What committed goes into the cache; after a failure those rows are read again.
     *
     * <p>Pending rows are first simply inserted: an arrival's message key is almost always new, and checking
     * (or deleting) first cost a statement per arrival. When a key is already there (the same message delivered
     * again, two copies in one batch, a Message-ID some sender reuses), the insert fails on the primary key and the
     * retry replaces the old row instead, as {@link #addPending} always does.
     */
    @Override
    public void saveArrivals(ArrivalWrites writes) {
        for (int attempt = 1; ; attempt++) {
            boolean replacePending = attempt > 1;
            try {
                db.transactionVoid(c -> {
                    for (ArrivalWrites.Row<PendingMessage> row : writes.pending()) {
                        if (replacePending) {
                            deletePending(c, row.user(), row.value());
                        }
                        insertPending(c, row.user(), row.value());
                    }
                    for (ArrivalWrites.Row<ContactStats> row : writes.contacts()) {
                        writeContact(c, row.user(), row.value());
                    }
                    for (ArrivalWrites.Row<ThreadStats> row : writes.threads()) {
                        writeThread(c, row.user(), row.value());
                    }
                });
                committed(writes, true);
                return;
            } catch (RuntimeException e) {
                committed(writes, false);
                if (attempt >= WRITE_ATTEMPTS || !(e instanceof StorageException storage && isDuplicateKey(storage))) {
                    throw e;
                }
            }
        }
    }

    /** The one place the row caches follow the writes: the committed rows replace theirs, a failure drops them. */
    private void committed(ArrivalWrites writes, boolean stored) {
        for (ArrivalWrites.Row<ContactStats> row : writes.contacts()) {
            RowKey key = new RowKey(cut(row.user(), ADDRESS_MAX), cut(row.value().address(), ADDRESS_MAX));
            if (stored) {
                contacts.put(key, row.value());
            } else {
                contacts.invalidate(key);
            }
        }
        for (ArrivalWrites.Row<ThreadStats> row : writes.threads()) {
            RowKey key = new RowKey(cut(row.user(), ADDRESS_MAX), cut(row.value().key(), KEY_MAX));
            if (stored) {
                threads.put(key, row.value());
            } else {
                threads.invalidate(key);
            }
        }
    }

    private static void threadValues(PreparedStatement s, String user, ThreadStats thread) throws SQLException {
        s.setInt(1, thread.sent());
        s.setInt(2, thread.received());
        s.setBoolean(3, thread.startedByUser());
        setInstant(s, 4, thread.lastActivity());
        s.setString(5, cut(user, ADDRESS_MAX));
        s.setString(6, cut(thread.key(), KEY_MAX));
    }

    @Override
    public void addPending(String user, PendingMessage message) {
        db.transactionVoid(c -> writePending(c, user, message));
    }

    private static void writePending(Connection c, String user, PendingMessage message) throws SQLException {
        deletePending(c, user, message);
        insertPending(c, user, message);
    }

    private static void deletePending(Connection c, String user, PendingMessage message) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement(
            "DELETE FROM mr_importance_pending WHERE username = ? AND message_key = ?")) {
            delete.setString(1, cut(user, ADDRESS_MAX));
            delete.setString(2, cut(message.messageKey(), KEY_MAX));
            delete.executeUpdate();
        }
    }

    private static void insertPending(Connection c, String user, PendingMessage message) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO mr_importance_pending (username, message_key,"
            + " sender, subject_key, received_at, features) VALUES (?, ?, ?, ?, ?, ?)")) {
            s.setString(1, cut(user, ADDRESS_MAX));
            s.setString(2, cut(message.messageKey(), KEY_MAX));
            s.setString(3, cut(message.sender(), ADDRESS_MAX));
            s.setString(4, cut(message.subjectKey(), KEY_MAX));
            s.setLong(5, message.receivedAt().toEpochMilli());
            s.setBytes(6, message.features().toBytes());
            s.executeUpdate();
        }
    }

    @Override
    public Optional<PendingMessage> pending(String user, String messageKey) {
        List<PendingMessage> found = queryPending("username = ? AND message_key = ?", "", 1,
            cut(user, ADDRESS_MAX), cut(messageKey, KEY_MAX));
        return found.stream().findFirst();
    }

    @Override
    public List<PendingMessage> pendingFrom(String user, String sender) {
        return queryPending("username = ? AND sender = ?", " ORDER BY received_at, message_key", Integer.MAX_VALUE,
            cut(user, ADDRESS_MAX), cut(sender, ADDRESS_MAX));
    }

    @Override
    public List<PendingMessage> pendingReceivedBefore(String user, Instant cutoff, int limit) {
        return queryPending("username = ? AND received_at < ?", " ORDER BY received_at, message_key", limit,
            cut(user, ADDRESS_MAX), cutoff.toEpochMilli());
    }

    private List<PendingMessage> queryPending(String where, String order, int limit, Object... parameters) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT message_key, sender, subject_key, received_at,"
                + " features FROM mr_importance_pending WHERE " + where + order)) {
                for (int i = 0; i < parameters.length; i++) {
                    s.setObject(i + 1, parameters[i]);
                }
                s.setMaxRows(limit == Integer.MAX_VALUE ? 0 : limit);
                List<PendingMessage> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next() && out.size() < limit) {
                        out.add(new PendingMessage(rs.getString(1), rs.getString(2), rs.getString(3),
                            Instant.ofEpochMilli(rs.getLong(4)), FeatureVector.fromBytes(rs.getBytes(5))));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void removePending(String user, String messageKey) {
        db.transactionVoid(c -> deleteTaken(c, List.of(new ArrivalWrites.Row<>(user, messageKey))));
    }

    @Override
    public void readWeights(long[] keys, int count, double[] weights, double[] squaredGradients) {
        long[] missing = new long[count];
        boolean[] miss = new boolean[count];
        int m = 0;
        for (int i = 0; i < count; i++) {
            double[] row = this.weights.getIfPresent(keys[i]);
            if (row == null) {
                miss[i] = true;
                missing[m++] = keys[i];
            } else {
                weights[i] = row[0];
                squaredGradients[i] = row[1];
            }
        }
        if (m == 0) {
            return;
        }
        int n = m;
        Map<Long, double[]> found = db.read(c -> existing(c, missing, n));
        weightsReadFromDatabase.add(n);
        for (int i = 0; i < n; i++) {
            // putIfAbsent: a learner that committed a newer value meanwhile has already put it, and it wins.
            this.weights.asMap().putIfAbsent(missing[i], found.getOrDefault(missing[i], ABSENT));
        }
        for (int i = 0; i < count; i++) {
            if (miss[i]) {
                double[] row = found.getOrDefault(keys[i], ABSENT);
                weights[i] = row[0];
                squaredGradients[i] = row[1];
            }
        }
    }

    @Override
    public void writeWeights(long[] keys, int count, double[] weights, double[] squaredGradients) {
        saveLabels(new LabelWrites(List.of(), List.of(),
            new LabelWrites.Weights(keys, count, weights, squaredGradients)));
    }

    /**
     * The pending messages a batch of labels took, its contact rows and its weights in one transaction (one commit
     * per batch of labels; each of them was a commit of its own). A lost race to insert a weight or contact row, with
     * another server on the same database, starts the whole transaction again. What committed goes into the caches;
     * after a failure those rows and weights are read again, since whether they changed is unknown.
     */
    @Override
    public void saveLabels(LabelWrites writes) {
        ArrivalWrites contactRows = new ArrivalWrites(writes.contacts(), List.of(), List.of());
        LabelWrites.Weights w = writes.weights();
        for (int attempt = 1; ; attempt++) {
            try {
                db.transactionVoid(c -> {
                    deleteTaken(c, writes.pendingTaken());
                    for (ArrivalWrites.Row<ContactStats> row : writes.contacts()) {
                        writeContact(c, row.user(), row.value());
                    }
                    writeWeightRows(c, w.keys(), w.count(), w.weights(), w.squaredGradients());
                });
                committed(contactRows, true);
                for (int i = 0; i < w.count(); i++) {
                    this.weights.put(w.keys()[i], new double[] {w.weights()[i], w.squaredGradients()[i]});
                }
                return;
            } catch (RuntimeException e) {
                committed(contactRows, false);
                for (int i = 0; i < w.count(); i++) {
                    this.weights.invalidate(w.keys()[i]);
                }
                boolean startAgain = e instanceof StalePresence
                    || e instanceof StorageException storage && isDuplicateKey(storage);
                if (attempt >= WRITE_ATTEMPTS || !startAgain) {
                    throw e;
                }
            }
        }
    }

    /** Deletes the pending messages labels took, by (user, message key), in one batch. */
    private static void deleteTaken(Connection c, List<ArrivalWrites.Row<String>> taken) throws SQLException {
        if (taken.isEmpty()) {
            return;
        }
        try (PreparedStatement delete = c.prepareStatement(
            "DELETE FROM mr_importance_pending WHERE username = ? AND message_key = ?")) {
            for (ArrivalWrites.Row<String> row : taken) {
                delete.setString(1, cut(row.user(), ADDRESS_MAX));
                delete.setString(2, cut(row.value(), KEY_MAX));
                delete.addBatch();
            }
            delete.executeBatch();
        }
    }

    /**
     * Each key's last value: updated where a row exists, inserted where none does. Whether a row exists is taken from
     * the weight cache where it knows (a row it holds exists: weight rows are never deleted, and the cache holds only
     * committed values; {@link #ABSENT} means none existed when it was read), and only the keys it does not know
     * (evicted, expired) are looked up. That look-up, an {@code IN} list of 100 keys, was most of a batch of labels'
     * CPU (bench/README.md, IMAP, "h-learn"), and the training steps had just read every one of these keys through
     * the cache. Knowledge that can be stale is checked by the write itself: a row another server (or a race
     * with an eviction) inserted meanwhile fails the insert on the primary key, a row believed present that is not
     * updates nothing ({@link StalePresence}); either way the caller starts the transaction again with the keys
     * dropped from the cache, so that attempt looks every key up.
     */
    private void writeWeightRows(Connection c, long[] keys, int count, double[] weights, double[] squaredGradients)
        throws SQLException {
        if (count == 0) {
            return;
        }
        Map<Long, Integer> last = new HashMap<>();
        for (int i = 0; i < count; i++) {
            last.put(keys[i], i);
        }
        long[] unknown = new long[last.size()];
        int u = 0;
        for (Long key : last.keySet()) {
            if (this.weights.getIfPresent(key) == null) {
                unknown[u++] = key;
            }
        }
        Map<Long, double[]> present = u == 0 ? Map.of() : existing(c, unknown, u);
        try (PreparedStatement update = c.prepareStatement(
                 "UPDATE mr_importance_weight SET weight = ?, squared_gradient = ? WHERE feature_key = ?");
             PreparedStatement insert = c.prepareStatement(
                 "INSERT INTO mr_importance_weight (weight, squared_gradient, feature_key) VALUES (?, ?, ?)")) {
            boolean updates = false;
            boolean inserts = false;
            for (Map.Entry<Long, Integer> e : last.entrySet()) {
                double[] cached = this.weights.getIfPresent(e.getKey());
                boolean exists = cached != null ? cached != ABSENT : present.containsKey(e.getKey());
                PreparedStatement s = exists ? update : insert;
                s.setDouble(1, weights[e.getValue()]);
                s.setDouble(2, squaredGradients[e.getValue()]);
                s.setLong(3, e.getKey());
                s.addBatch();
                if (s == update) {
                    updates = true;
                } else {
                    inserts = true;
                }
            }
            if (updates) {
                for (int updated : update.executeBatch()) {
                    if (updated == 0) {
                        throw new StalePresence();
                    }
                }
            }
            if (inserts) {
                insert.executeBatch();
            }
        }
    }

    /**
     * A weight row the cache said existed was not there to update: the transaction is started again, every key
     * looked up. Not expected (rows are never deleted), but a silent update of nothing would lose a weight.
     */
    private static final class StalePresence extends RuntimeException {
        StalePresence() {
            super("a cached weight row was not in the database", null, false, false);
        }
    }

    private static Map<Long, double[]> existing(Connection c, long[] keys, int count) throws SQLException {
        Map<Long, double[]> found = new HashMap<>();
        for (int from = 0; from < count; from += IN_CHUNK) {
            int n = Math.min(IN_CHUNK, count - from);
            // One statement text for every chunk (a short one repeats its last key): an IN list of each length
            // was a new statement for Derby to compile, on every delivery whose features missed the cache.
            try (PreparedStatement s = c.prepareStatement(SELECT_WEIGHTS)) {
                for (int i = 0; i < IN_CHUNK; i++) {
                    s.setLong(i + 1, keys[from + Math.min(i, n - 1)]);
                }
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        found.put(rs.getLong(1), new double[] {rs.getDouble(2), rs.getDouble(3)});
                    }
                }
            }
        }
        return found;
    }

    private boolean isDuplicateKey(StorageException e) {
        return e.getCause() instanceof SQLException sql && db.dialect().isDuplicateKey(sql);
    }

    private static Optional<Instant> instant(ResultSet rs, int column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    }

    private static void setInstant(PreparedStatement s, int column, Optional<Instant> value) throws SQLException {
        if (value.isPresent()) {
            s.setLong(column, value.get().toEpochMilli());
        } else {
            s.setNull(column, Types.BIGINT);
        }
    }

    private static String cut(String value, int max) {
        return value.length() <= max ? value : value.substring(0, max);
    }
}
