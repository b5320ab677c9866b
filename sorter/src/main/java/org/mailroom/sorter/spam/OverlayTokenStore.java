package org.mailroom.sorter.spam;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link TokenStore} that reads through to another and keeps its own writes in memory, as changes on top of it:
 * what a training would do to the store, without doing it. {@link BulkTraining} trains one of these per training
 * order and then applies the average of what they learned to the real store.
 */
final class OverlayTokenStore implements TokenStore {
    private final TokenStore base;
    /** The weight, count and total changes made here (its own records are unused: see {@link #records}). */
    private final InMemoryTokenStore changes = new InMemoryTokenStore();
    /** Each scope's records written here (empty = deleted here), in the order first written. */
    private final Map<String, Map<String, Optional<TrainingRecord>>> records = new LinkedHashMap<>();

    OverlayTokenStore(TokenStore base) {
        this.base = base;
    }

    @Override
    public synchronized TokenStats read(String scope, long[] tokens) {
        TokenStats under = base.read(scope, tokens);
        TokenStats over = changes.read(scope, tokens);
        double[] weights = under.weights().clone();
        int[] spam = under.spam().clone();
        int[] ham = under.ham().clone();
        for (int i = 0; i < tokens.length; i++) {
            weights[i] += over.weights()[i];
            spam[i] += over.spam()[i];
            ham[i] += over.ham()[i];
        }
        return new TokenStats(weights, spam, ham);
    }

    @Override
    public synchronized Totals totals(String scope) {
        Totals under = base.totals(scope);
        Totals over = changes.totals(scope);
        return new Totals(under.spamMessages() + over.spamMessages(), under.hamMessages() + over.hamMessages(),
            under.bias() + over.bias());
    }

    @Override
    public synchronized Optional<TrainingRecord> record(String scope, String messageKey) {
        Map<String, Optional<TrainingRecord>> written = records.get(scope);
        return written != null && written.containsKey(messageKey) ? written.get(messageKey)
            : base.record(scope, messageKey);
    }

    @Override
    public synchronized void apply(String scope, String messageKey, TrainingChange change) {
        changes.apply(scope, messageKey, new TrainingChange(change.tokens(), change.weightDelta(), change.spamDelta(),
            change.hamDelta(), Optional.empty()));
        records.computeIfAbsent(scope, s -> new LinkedHashMap<>()).put(messageKey, change.record());
    }

    /** The scopes and message keys whose records were written here. */
    synchronized Map<String, Set<String>> written() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        records.forEach((scope, keys) -> out.put(scope, new LinkedHashSet<>(keys.keySet())));
        return out;
    }
}
