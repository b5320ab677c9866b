package org.mailroom.sorter.spam;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link TokenStore} in memory, for tests and benchmarks; lost when the process ends. */
public final class InMemoryTokenStore implements TokenStore {

    private static final class Scope {
        final LongTable tokens = new LongTable();
        final Map<String, TrainingRecord> records = new HashMap<>();
        int spamMessages;
        int hamMessages;
        double bias;
    }

    private final Map<String, Scope> scopes = new ConcurrentHashMap<>();

    private Scope scope(String name) {
        return scopes.computeIfAbsent(name, n -> new Scope());
    }

    @Override
    public TokenStats read(String scope, long[] tokens) {
        double[] weights = new double[tokens.length];
        int[] spam = new int[tokens.length];
        int[] ham = new int[tokens.length];
        Scope s = scopes.get(scope);
        if (s != null) {
            synchronized (s) {
                for (int i = 0; i < tokens.length; i++) {
                    int slot = s.tokens.find(tokens[i]);
                    if (slot >= 0) {
                        weights[i] = s.tokens.weight[slot];
                        spam[i] = s.tokens.spam[slot];
                        ham[i] = s.tokens.ham[slot];
                    }
                }
            }
        }
        return new TokenStats(weights, spam, ham);
    }

    @Override
    public Totals totals(String scope) {
        Scope s = scopes.get(scope);
        if (s == null) {
            return Totals.EMPTY;
        }
        synchronized (s) {
            return new Totals(s.spamMessages, s.hamMessages, s.bias);
        }
    }

    @Override
    public Optional<TrainingRecord> record(String scope, String messageKey) {
        Scope s = scopes.get(scope);
        if (s == null) {
            return Optional.empty();
        }
        synchronized (s) {
            return Optional.ofNullable(s.records.get(messageKey));
        }
    }

    @Override
    public void apply(String scope, String messageKey, TrainingChange change) {
        Scope s = scope(scope);
        synchronized (s) {
            for (long token : change.tokens()) {
                int slot = s.tokens.findOrAdd(token);
                s.tokens.weight[slot] += change.weightDelta();
                s.tokens.spam[slot] += change.spamDelta();
                s.tokens.ham[slot] += change.hamDelta();
            }
            s.bias += change.weightDelta();
            s.spamMessages += change.spamDelta();
            s.hamMessages += change.hamDelta();
            change.record().ifPresentOrElse(r -> s.records.put(messageKey, r), () -> s.records.remove(messageKey));
        }
    }

    /** Distinct tokens known in a scope (for tests and reports). */
    public int tokenCount(String scope) {
        Scope s = scopes.get(scope);
        if (s == null) {
            return 0;
        }
        synchronized (s) {
            return s.tokens.size;
        }
    }

    /** Open-addressing table from token hash to weight and counts, in parallel arrays (no boxing). */
    private static final class LongTable {
        long[] keys = new long[1024];
        boolean[] used = new boolean[1024];
        double[] weight = new double[1024];
        int[] spam = new int[1024];
        int[] ham = new int[1024];
        int size;

        int find(long key) {
            int mask = keys.length - 1;
            for (int i = index(key, mask); ; i = (i + 1) & mask) {
                if (!used[i]) {
                    return -1;
                }
                if (keys[i] == key) {
                    return i;
                }
            }
        }

        int findOrAdd(long key) {
            if ((size + 1) * 2 > keys.length) {
                grow();
            }
            int mask = keys.length - 1;
            for (int i = index(key, mask); ; i = (i + 1) & mask) {
                if (!used[i]) {
                    used[i] = true;
                    keys[i] = key;
                    size++;
                    return i;
                }
                if (keys[i] == key) {
                    return i;
                }
            }
        }

        private static int index(long key, int mask) {
            return (int) (key ^ (key >>> 29)) & mask;
        }

        private void grow() {
            long[] oldKeys = keys;
            boolean[] oldUsed = used;
            double[] oldWeight = weight;
            int[] oldSpam = spam;
            int[] oldHam = ham;
            int capacity = oldKeys.length * 2;
            keys = new long[capacity];
            used = new boolean[capacity];
            weight = new double[capacity];
            spam = new int[capacity];
            ham = new int[capacity];
            size = 0;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldUsed[i]) {
                    int slot = findOrAdd(oldKeys[i]);
                    weight[slot] = oldWeight[i];
                    spam[slot] = oldSpam[i];
                    ham[slot] = oldHam[i];
                }
            }
        }
    }
}
