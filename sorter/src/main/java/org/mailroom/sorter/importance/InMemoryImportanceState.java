package org.mailroom.sorter.importance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** {@link ImportanceState} in memory: for tests, the benchmark, and servers that may forget on restart. */
public final class InMemoryImportanceState implements ImportanceState {

    private record UserKey(String user, String key) {
    }

    private record PendingOrder(Instant receivedAt, String messageKey) {
    }

    private final Map<UserKey, ContactStats> contacts = new ConcurrentHashMap<>();
    private final Map<UserKey, ThreadStats> threads = new ConcurrentHashMap<>();
    private final Map<UserKey, PendingMessage> pending = new ConcurrentHashMap<>();
    private final Map<UserKey, Map<String, PendingMessage>> pendingBySender = new ConcurrentHashMap<>();
    private final Map<String, ConcurrentSkipListMap<PendingOrder, PendingMessage>> pendingByTime = new ConcurrentHashMap<>();
    private final Map<Long, double[]> weights = new ConcurrentHashMap<>();

    @Override
    public ContactStats contact(String user, String address) {
        return contacts.getOrDefault(new UserKey(user, address), ContactStats.unknown(address));
    }

    @Override
    public void saveContact(String user, ContactStats contact) {
        contacts.put(new UserKey(user, contact.address()), contact);
    }

    @Override
    public ThreadStats thread(String user, String key) {
        return threads.getOrDefault(new UserKey(user, key), ThreadStats.unknown(key));
    }

    @Override
    public void saveThread(String user, ThreadStats thread) {
        threads.put(new UserKey(user, thread.key()), thread);
    }

    @Override
    public synchronized void addPending(String user, PendingMessage message) {
        removePending(user, message.messageKey());
        pending.put(new UserKey(user, message.messageKey()), message);
        pendingBySender.computeIfAbsent(new UserKey(user, message.sender()), k -> new ConcurrentHashMap<>())
            .put(message.messageKey(), message);
        pendingByTime.computeIfAbsent(user, k -> new ConcurrentSkipListMap<>(
                Comparator.comparing(PendingOrder::receivedAt).thenComparing(PendingOrder::messageKey)))
            .put(new PendingOrder(message.receivedAt(), message.messageKey()), message);
    }

    @Override
    public Optional<PendingMessage> pending(String user, String messageKey) {
        return Optional.ofNullable(pending.get(new UserKey(user, messageKey)));
    }

    @Override
    public List<PendingMessage> pendingFrom(String user, String sender) {
        Map<String, PendingMessage> bySender = pendingBySender.get(new UserKey(user, sender));
        if (bySender == null) {
            return List.of();
        }
        List<PendingMessage> out = new ArrayList<>(bySender.values());
        out.sort(Comparator.comparing(PendingMessage::receivedAt).thenComparing(PendingMessage::messageKey));
        return out;
    }

    @Override
    public List<PendingMessage> pendingReceivedBefore(String user, Instant cutoff, int limit) {
        ConcurrentSkipListMap<PendingOrder, PendingMessage> byTime = pendingByTime.get(user);
        if (byTime == null) {
            return List.of();
        }
        List<PendingMessage> out = new ArrayList<>();
        for (PendingMessage message : byTime.headMap(new PendingOrder(cutoff, "")).values()) {
            if (out.size() >= limit) {
                break;
            }
            out.add(message);
        }
        return out;
    }

    @Override
    public synchronized void removePending(String user, String messageKey) {
        PendingMessage removed = pending.remove(new UserKey(user, messageKey));
        if (removed == null) {
            return;
        }
        Map<String, PendingMessage> bySender = pendingBySender.get(new UserKey(user, removed.sender()));
        if (bySender != null) {
            bySender.remove(messageKey);
        }
        ConcurrentSkipListMap<PendingOrder, PendingMessage> byTime = pendingByTime.get(user);
        if (byTime != null) {
            byTime.remove(new PendingOrder(removed.receivedAt(), messageKey));
        }
    }

    @Override
    public void readWeights(long[] keys, int count, double[] out, double[] squaredGradients) {
        for (int i = 0; i < count; i++) {
            double[] entry = weights.get(keys[i]);
            out[i] = entry == null ? 0 : entry[0];
            squaredGradients[i] = entry == null ? 0 : entry[1];
        }
    }

    @Override
    public void writeWeights(long[] keys, int count, double[] values, double[] squaredGradients) {
        for (int i = 0; i < count; i++) {
            weights.put(keys[i], new double[] {values[i], squaredGradients[i]});
        }
    }

    /** The keys of every weight stored (for tests that compare states weight by weight). */
    public long[] weightKeys() {
        return weights.keySet().stream().mapToLong(Long::longValue).toArray();
    }

    /** How many weights are stored (for tests and the benchmark's report). */
    public int weightCount() {
        return weights.size();
    }
}
