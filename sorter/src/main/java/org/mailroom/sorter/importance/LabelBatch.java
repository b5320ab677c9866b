package org.mailroom.sorter.importance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The state as a batch of labels sees it while it is learned: what an earlier label of the batch changed (a pending
 * message taken, a contact's reply counted, weights stepped) is read back from here, everything else from the real
 * state, so each label learns exactly what it would have learned had the labels before it been stored one by one.
 * {@link #writes} then hands all of it to {@link ImportanceState#saveLabels} at once: one transaction per batch
 * instead of one per pending message taken, one per contact row and one for the weights.
 *
 * <p>Labels write no thread rows and add no pending messages; those writes are refused rather than passed through,
 * so nothing a label does can escape the batch's one transaction. Used under the model's learning lock, by one
 * thread; not shared.
 */
final class LabelBatch implements ImportanceState {

    private record Key(String user, String key) {
    }

    private final ImportanceState state;
    private final WeightUpdates weights;
    private final Map<Key, ContactStats> contacts = new LinkedHashMap<>();
    private final Set<Key> pendingTaken = new LinkedHashSet<>();

    LabelBatch(ImportanceState state) {
        this.state = state;
        this.weights = new WeightUpdates(state);
    }

    /** The weights the batch's training steps read and change. */
    WeightUpdates weights() {
        return weights;
    }

    @Override
    public ContactStats contact(String user, String address) {
        ContactStats written = contacts.get(new Key(user, address));
        return written != null ? written : state.contact(user, address);
    }

    @Override
    public void saveContact(String user, ContactStats contact) {
        contacts.put(new Key(user, contact.address()), contact);
    }

    @Override
    public ThreadStats thread(String user, String key) {
        return state.thread(user, key);
    }

    @Override
    public void saveThread(String user, ThreadStats thread) {
        throw new UnsupportedOperationException("a label writes no thread rows");
    }

    @Override
    public void addPending(String user, PendingMessage message) {
        throw new UnsupportedOperationException("a label adds no pending message");
    }

    @Override
    public Optional<PendingMessage> pending(String user, String messageKey) {
        return pendingTaken.contains(new Key(user, messageKey)) ? Optional.empty() : state.pending(user, messageKey);
    }

    @Override
    public List<PendingMessage> pendingFrom(String user, String sender) {
        List<PendingMessage> out = new ArrayList<>(state.pendingFrom(user, sender));
        out.removeIf(message -> pendingTaken.contains(new Key(user, message.messageKey())));
        return out;
    }

    @Override
    public List<PendingMessage> pendingReceivedBefore(String user, Instant cutoff, int limit) {
        // The state's first `limit` may include messages taken here: ask for that many more, then drop them.
        List<PendingMessage> out = new ArrayList<>(state.pendingReceivedBefore(user, cutoff,
            (int) Math.min(Integer.MAX_VALUE, (long) limit + pendingTaken.size())));
        out.removeIf(message -> pendingTaken.contains(new Key(user, message.messageKey())));
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    @Override
    public void removePending(String user, String messageKey) {
        pendingTaken.add(new Key(user, messageKey));
    }

    @Override
    public void readWeights(long[] keys, int count, double[] weights, double[] squaredGradients) {
        this.weights.read(keys, count, weights, squaredGradients);
    }

    @Override
    public void writeWeights(long[] keys, int count, double[] weights, double[] squaredGradients) {
        this.weights.update(keys, count, weights, squaredGradients);
    }

    /** Everything the batch changed, each row once with its last value. */
    LabelWrites writes() {
        List<ArrivalWrites.Row<String>> taken = new ArrayList<>(pendingTaken.size());
        pendingTaken.forEach(key -> taken.add(new ArrivalWrites.Row<>(key.user(), key.key())));
        List<ArrivalWrites.Row<ContactStats>> contactRows = new ArrayList<>(contacts.size());
        contacts.forEach((key, value) -> contactRows.add(new ArrivalWrites.Row<>(key.user(), value)));
        return new LabelWrites(taken, contactRows, weights.changes());
    }
}
