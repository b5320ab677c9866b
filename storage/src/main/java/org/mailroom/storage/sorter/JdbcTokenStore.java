package org.mailroom.storage.sorter;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.mailroom.sorter.spam.TokenStore;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.StorageException;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The spam classifier's {@link TokenStore} in the database (tables {@code mr_spam_scope}, {@code mr_spam_token},
 * {@code mr_spam_training}). Token reads are batched: one {@code IN} query per {@value #CHUNK} tokens, never one per
 * token; a training step is one transaction of batched updates, then batched inserts for the tokens not yet known
 * (Derby and PostgreSQL share no UPSERT), retried when a concurrent step inserted the same token first.
 *
 * <p>Token rows are cached: every classification reads a few thousand tokens in two scopes (global and the user's),
 * which as {@code IN} queries cost more CPU than the rest of an SMTP delivery. A training step invalidates the rows
 * it changed once it has committed, so this instance never serves a value older than what it wrote itself.
 */
public final class JdbcTokenStore implements TokenStore {
    /** Tokens per IN list; every chunk uses the same statement text (the last is padded) so it stays cached. */
    static final int CHUNK = 500;
    private static final int DUPLICATE_ATTEMPTS = 3;
    private static final String SELECT_TOKENS = "SELECT token, weight, spam_count, ham_count FROM mr_spam_token"
        + " WHERE scope = ? AND token IN (" + String.join(",", Collections.nCopies(CHUNK, "?")) + ")";

    /** Token rows kept in memory by default: about 120 bytes each, some 40 MB at most. */
    public static final int DEFAULT_CACHED_TOKENS = 300_000;
    /**
     * How long a cached row is trusted: several servers sharing one PostgreSQL database train the same rows, and
     * their steps should reach the others eventually.
     */
    private static final Duration TOKEN_TTL = Duration.ofMinutes(10);

    private record Key(String scope, long token) {
    }

    private record Row(double weight, int spam, int ham) {
        static final Row ABSENT = new Row(0, 0, 0);
    }

    private final Database db;
    /** Also holds tokens with no row ({@link Row#ABSENT}): most of a message's tokens are unknown in a user's scope. */
    private final Cache<Key, Row> rows;
    /** Per scope, its message counts and bias: read for every message scored, changed only by a training step. */
    private final Cache<String, Totals> totals;
    /**
     * Per scope, the lock under which a reader caches what it read and a writer invalidates what it committed, and
     * the count of committed steps: a reader caches only if no step committed since it started reading, so a row
     * read before a commit can never be cached after that commit's invalidation.
     */
    private final Map<String, long[]> commitsPerScope = new ConcurrentHashMap<>();
    private final LongAdder tokensReadFromDatabase = new LongAdder();

    public JdbcTokenStore(Database db) {
        this(db, DEFAULT_CACHED_TOKENS);
    }

    /** {@code cachedTokens} token rows at most are kept in memory (0: none, every read queries). */
    public JdbcTokenStore(Database db, int cachedTokens) {
        this.db = db;
        this.rows = Caffeine.newBuilder().maximumSize(cachedTokens).expireAfterWrite(TOKEN_TTL).build();
        this.totals = Caffeine.newBuilder().maximumSize(cachedTokens == 0 ? 0 : 10_000).expireAfterWrite(TOKEN_TTL)
            .build();
    }

    /** How many tokens were read from the database rather than the cache since this instance was made. */
    public long tokensReadFromDatabase() {
        return tokensReadFromDatabase.sum();
    }

    private long[] commits(String scope) {
        return commitsPerScope.computeIfAbsent(scope, k -> new long[1]);
    }

    @Override
    public TokenStats read(String scope, long[] tokens) {
        double[] weights = new double[tokens.length];
        int[] spam = new int[tokens.length];
        int[] ham = new int[tokens.length];
        if (tokens.length == 0) {
            return new TokenStats(weights, spam, ham);
        }
        Map<Long, Integer> index = new HashMap<>(tokens.length * 2);
        List<Long> missing = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            if (index.putIfAbsent(tokens[i], i) == null) {
                Row row = rows.getIfPresent(new Key(scope, tokens[i]));
                if (row == null) {
                    missing.add(tokens[i]);
                } else {
                    weights[i] = row.weight();
                    spam[i] = row.spam();
                    ham[i] = row.ham();
                }
            }
        }
        if (!missing.isEmpty()) {
            readMissing(scope, missing, index, weights, spam, ham);
        }
        // A token listed twice gets the values of its first occurrence.
        for (int i = 0; i < tokens.length; i++) {
            int first = index.get(tokens[i]);
            if (first != i) {
                weights[i] = weights[first];
                spam[i] = spam[first];
                ham[i] = ham[first];
            }
        }
        return new TokenStats(weights, spam, ham);
    }

    /** Reads the rows of {@code missing} into the arrays and, unless a step committed meanwhile, caches them. */
    private void readMissing(String scope, List<Long> missing, Map<Long, Integer> index, double[] weights, int[] spam,
                             int[] ham) {
        long[] commits = commits(scope);
        long commitsBefore;
        synchronized (commits) {
            commitsBefore = commits[0];
        }
        db.read(c -> {
            try (PreparedStatement select = c.prepareStatement(SELECT_TOKENS)) {
                for (int from = 0; from < missing.size(); from += CHUNK) {
                    select.setString(1, scope);
                    for (int k = 0; k < CHUNK; k++) {
                        select.setLong(2 + k, missing.get(Math.min(from + k, missing.size() - 1)));
                    }
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            Integer i = index.get(rs.getLong(1));
                            if (i != null) {
                                weights[i] = rs.getDouble(2);
                                spam[i] = rs.getInt(3);
                                ham[i] = rs.getInt(4);
                            }
                        }
                    }
                }
            }
            return null;
        });
        tokensReadFromDatabase.add(missing.size());
        Map<Key, Row> read = new HashMap<>(missing.size() * 2);
        for (long token : missing) {
            int i = index.get(token);
            Row row = weights[i] == 0 && spam[i] == 0 && ham[i] == 0 ? Row.ABSENT : new Row(weights[i], spam[i], ham[i]);
            read.put(new Key(scope, token), row);
        }
        synchronized (commits) {
            if (commits[0] == commitsBefore) {
                rows.putAll(read);
            }
        }
    }

    @Override
    public Totals totals(String scope) {
        Totals cached = totals.getIfPresent(scope);
        if (cached != null) {
            return cached;
        }
        long[] commits = commits(scope);
        long commitsBefore;
        synchronized (commits) {
            commitsBefore = commits[0];
        }
        Totals read = db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                "SELECT spam_messages, ham_messages, bias FROM mr_spam_scope WHERE scope = ?")) {
                s.setString(1, scope);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? new Totals(rs.getInt(1), rs.getInt(2), rs.getDouble(3)) : Totals.EMPTY;
                }
            }
        });
        // Same rule as for token rows: what was read before a step committed is not cached after it.
        synchronized (commits) {
            if (commits[0] == commitsBefore) {
                totals.put(scope, read);
            }
        }
        return read;
    }

    @Override
    public Optional<TrainingRecord> record(String scope, String messageKey) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT message_key, spam, weight_delta, tokens"
                + " FROM mr_spam_training WHERE scope = ? AND key_hash = ?")) {
                s.setString(1, scope);
                s.setLong(2, keyHash(messageKey));
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next() || !rs.getString(1).equals(messageKey)) {
                        return Optional.empty();
                    }
                    return Optional.of(new TrainingRecord(rs.getShort(2) != 0, decode(rs.getBytes(4)),
                        rs.getDouble(3)));
                }
            }
        });
    }

    @Override
    public void apply(String scope, String messageKey, TrainingChange change) {
        for (int attempt = 1; ; attempt++) {
            try {
                db.transactionVoid(c -> {
                    applyTokens(c, scope, change);
                    applyTotals(c, scope, change);
                    applyRecord(c, scope, messageKey, change.record());
                });
                invalidate(scope, change.tokens());
                return;
            } catch (StorageException e) {
                // Two steps inserting the same new token: the loser retries and then finds the row to update.
                // PostgreSQL aborts the whole transaction on a duplicate key, so the retry starts a new one.
                if (attempt >= DUPLICATE_ATTEMPTS || !(e.getCause() instanceof SQLException sql)
                    || !db.dialect().isDuplicateKey(sql)) {
                    throw e;
                }
            }
        }
    }

    /** After a committed step: its tokens are read again from the database next time. */
    private void invalidate(String scope, long[] changed) {
        long[] commits = commits(scope);
        synchronized (commits) {
            commits[0]++;
            totals.invalidate(scope);
            for (long token : changed) {
                rows.invalidate(new Key(scope, token));
            }
        }
    }

    private static void applyTokens(Connection c, String scope, TrainingChange change) throws SQLException {
        long[] tokens = distinct(change.tokens());
        int[] updated;
        try (PreparedStatement update = c.prepareStatement("UPDATE mr_spam_token SET weight = weight + ?,"
            + " spam_count = spam_count + ?, ham_count = ham_count + ? WHERE scope = ? AND token = ?")) {
            for (long token : tokens) {
                update.setDouble(1, change.weightDelta());
                update.setInt(2, change.spamDelta());
                update.setInt(3, change.hamDelta());
                update.setString(4, scope);
                update.setLong(5, token);
                update.addBatch();
            }
            updated = update.executeBatch();
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO mr_spam_token"
            + " (scope, token, weight, spam_count, ham_count) VALUES (?, ?, ?, ?, ?)")) {
            boolean any = false;
            for (int i = 0; i < tokens.length; i++) {
                if (updated[i] == 0) {
                    insert.setString(1, scope);
                    insert.setLong(2, tokens[i]);
                    insert.setDouble(3, change.weightDelta());
                    insert.setInt(4, change.spamDelta());
                    insert.setInt(5, change.hamDelta());
                    insert.addBatch();
                    any = true;
                }
            }
            if (any) {
                insert.executeBatch();
            }
        }
        if (change.spamDelta() < 0 || change.hamDelta() < 0) {
            // An undo can leave tokens no trained message holds any more: drop them so the table only grows
            // with what is trained.
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM mr_spam_token WHERE scope = ?"
                + " AND token = ? AND spam_count <= 0 AND ham_count <= 0")) {
                for (long token : tokens) {
                    delete.setString(1, scope);
                    delete.setLong(2, token);
                    delete.addBatch();
                }
                delete.executeBatch();
            }
        }
    }

    private static void applyTotals(Connection c, String scope, TrainingChange change) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE mr_spam_scope SET spam_messages = spam_messages"
            + " + ?, ham_messages = ham_messages + ?, bias = bias + ? WHERE scope = ?")) {
            update.setInt(1, change.spamDelta());
            update.setInt(2, change.hamDelta());
            update.setDouble(3, change.weightDelta());
            update.setString(4, scope);
            if (update.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO mr_spam_scope"
            + " (scope, spam_messages, ham_messages, bias) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, scope);
            insert.setInt(2, change.spamDelta());
            insert.setInt(3, change.hamDelta());
            insert.setDouble(4, change.weightDelta());
            insert.executeUpdate();
        }
    }

    private static void applyRecord(Connection c, String scope, String messageKey, Optional<TrainingRecord> record)
        throws SQLException {
        long hash = keyHash(messageKey);
        try (PreparedStatement delete = c.prepareStatement(
            "DELETE FROM mr_spam_training WHERE scope = ? AND key_hash = ?")) {
            delete.setString(1, scope);
            delete.setLong(2, hash);
            delete.executeUpdate();
        }
        if (record.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO mr_spam_training"
            + " (scope, key_hash, message_key, spam, weight_delta, tokens) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, scope);
            insert.setLong(2, hash);
            insert.setString(3, messageKey);
            insert.setShort(4, (short) (record.get().spam() ? 1 : 0));
            insert.setDouble(5, record.get().weightDelta());
            insert.setBytes(6, encode(record.get().tokens()));
            insert.executeUpdate();
        }
    }

    private static long[] distinct(long[] tokens) {
        return java.util.Arrays.stream(tokens).distinct().toArray();
    }

    /** FNV-1a over the key's UTF-8 bytes: the primary key for keys too long for an index. */
    static long keyHash(String messageKey) {
        long h = 0xcbf29ce484222325L;
        for (byte b : messageKey.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    private static byte[] encode(long[] tokens) {
        ByteBuffer buffer = ByteBuffer.allocate(tokens.length * Long.BYTES);
        for (long token : tokens) {
            buffer.putLong(token);
        }
        return buffer.array();
    }

    private static long[] decode(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long[] tokens = new long[bytes.length / Long.BYTES];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = buffer.getLong();
        }
        return tokens;
    }
}
