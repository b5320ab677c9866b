package org.mailroom.sorter.importance;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The weights several training steps change, kept until {@link #write}: a step reads the weights through this, so it
 * sees what the steps before it wrote, and {@link #write} stores the last value of each changed weight in one
 * {@link ImportanceState#writeWeights} (one transaction for a durable state) instead of one per step. Used under
 * the model's learning lock, by one thread; not shared.
 */
final class WeightUpdates {

    private final ImportanceState state;
    /** Changed weights by feature key: {weight, squared gradient}, in the order first changed. */
    private final Map<Long, double[]> changed = new LinkedHashMap<>();

    WeightUpdates(ImportanceState state) {
        this.state = state;
    }

    /** The current weights of {@code keys[0..count)}: changed here, else the state's. */
    void read(long[] keys, int count, double[] weights, double[] squaredGradients) {
        state.readWeights(keys, count, weights, squaredGradients);
        if (changed.isEmpty()) {
            return;
        }
        for (int i = 0; i < count; i++) {
            double[] row = changed.get(keys[i]);
            if (row != null) {
                weights[i] = row[0];
                squaredGradients[i] = row[1];
            }
        }
    }

    /** Sets the weights of {@code keys[0..count)}; of a key given twice, the later value counts. */
    void update(long[] keys, int count, double[] weights, double[] squaredGradients) {
        for (int i = 0; i < count; i++) {
            changed.put(keys[i], new double[] {weights[i], squaredGradients[i]});
        }
    }

    /** Stores every changed weight in the state, at once, and starts afresh. */
    void write() {
        LabelWrites.Weights changes = changes();
        if (changes.count() > 0) {
            state.writeWeights(changes.keys(), changes.count(), changes.weights(), changes.squaredGradients());
        }
        changed.clear();
    }

    /** Every changed weight, each key once with its last value, in the order first changed. */
    LabelWrites.Weights changes() {
        int n = changed.size();
        if (n == 0) {
            return LabelWrites.Weights.NONE;
        }
        long[] keys = new long[n];
        double[] weights = new double[n];
        double[] squaredGradients = new double[n];
        int i = 0;
        for (Map.Entry<Long, double[]> e : changed.entrySet()) {
            keys[i] = e.getKey();
            weights[i] = e.getValue()[0];
            squaredGradients[i] = e.getValue()[1];
            i++;
        }
        return new LabelWrites.Weights(keys, n, weights, squaredGradients);
    }
}
