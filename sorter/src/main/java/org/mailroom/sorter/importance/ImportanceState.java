package org.mailroom.sorter.importance;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything the importance model remembers between messages and restarts: contact and thread statistics per user,
 * received messages awaiting their label, and the weights of the shared and per-user model. Implemented in memory
 * here ({@link InMemoryImportanceState}) and over JDBC in storage. Callers serialise writes
 * ({@link ImportanceModel} learns under one lock), so implementations need only be safe for concurrent reads.
 */
public interface ImportanceState {

    /** The statistics of one correspondent of {@code user}; {@link ContactStats#unknown} when never seen. */
    ContactStats contact(String user, String address);

    void saveContact(String user, ContactStats contact);

    /** The statistics of one thread of {@code user}; {@link ThreadStats#unknown} when never seen. */
    ThreadStats thread(String user, String key);

    void saveThread(String user, ThreadStats thread);

    /** Remembers a received message until its label is known; a second message with the same key replaces it. */
    void addPending(String user, PendingMessage message);

    Optional<PendingMessage> pending(String user, String messageKey);

    /** The pending messages of {@code user} from {@code sender}, oldest first. */
    List<PendingMessage> pendingFrom(String user, String sender);

    /** At most {@code limit} pending messages of {@code user} received before {@code cutoff}, oldest first. */
    List<PendingMessage> pendingReceivedBefore(String user, Instant cutoff, int limit);

    void removePending(String user, String messageKey);

    /**
     * Reads the weight and the sum of squared gradients of the first {@code count} keys into the arrays (0 for keys
     * never written).
     */
    void readWeights(long[] keys, int count, double[] weights, double[] squaredGradients);

    /** Stores the weight and the sum of squared gradients of the first {@code count} keys. */
    void writeWeights(long[] keys, int count, double[] weights, double[] squaredGradients);

    /**
     * Stores what a batch of arrivals changed. A durable state commits it all in one transaction (arrivals are the
     * most frequent write by far: one commit per batch instead of several per message); either all of it is stored
     * or, when this throws, none. This default writes the rows one by one.
     */
    default void saveArrivals(ArrivalWrites writes) {
        for (ArrivalWrites.Row<PendingMessage> row : writes.pending()) {
            addPending(row.user(), row.value());
        }
        for (ArrivalWrites.Row<ContactStats> row : writes.contacts()) {
            saveContact(row.user(), row.value());
        }
        for (ArrivalWrites.Row<ThreadStats> row : writes.threads()) {
            saveThread(row.user(), row.value());
        }
    }

    /**
     * Stores what a batch of explicit labels changed ({@link LabelWrites}: pending messages taken, contact rows,
     * weights). A durable state commits it all in one transaction (before, each pending message taken and each
     * contact row was a commit of its own, and the weights one more); either all of it is stored or, when this
     * throws, none. This default writes the rows one by one.
     */
    default void saveLabels(LabelWrites writes) {
        for (ArrivalWrites.Row<String> row : writes.pendingTaken()) {
            removePending(row.user(), row.value());
        }
        for (ArrivalWrites.Row<ContactStats> row : writes.contacts()) {
            saveContact(row.user(), row.value());
        }
        LabelWrites.Weights weights = writes.weights();
        if (weights.count() > 0) {
            writeWeights(weights.keys(), weights.count(), weights.weights(), weights.squaredGradients());
        }
    }
}
