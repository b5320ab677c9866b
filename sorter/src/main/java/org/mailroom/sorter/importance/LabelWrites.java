package org.mailroom.sorter.importance;

import java.util.List;
import java.util.Objects;

/**
 * What learning a batch of explicit labels changes in the {@link ImportanceState}, handed over at once so that a
 * durable state can commit it in one transaction ({@link ImportanceState#saveLabels}): the pending messages the labels
 * took (each once), the final contact rows (each key once, its last value) and the final weights (each key once).
 */
public record LabelWrites(List<ArrivalWrites.Row<String>> pendingTaken, List<ArrivalWrites.Row<ContactStats>> contacts,
                          Weights weights) {

    public LabelWrites {
        pendingTaken = List.copyOf(pendingTaken);
        contacts = List.copyOf(contacts);
        Objects.requireNonNull(weights, "weights");
    }

    /** The first {@code count} keys with their weight and sum of squared gradients. */
    public record Weights(long[] keys, int count, double[] weights, double[] squaredGradients) {

        static final Weights NONE = new Weights(new long[0], 0, new double[0], new double[0]);
    }

    public boolean isEmpty() {
        return pendingTaken.isEmpty() && contacts.isEmpty() && weights.count() == 0;
    }
}
