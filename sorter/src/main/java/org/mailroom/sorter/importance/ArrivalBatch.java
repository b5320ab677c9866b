package org.mailroom.sorter.importance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows a batch of arrivals changes, collected before they are stored together: a later arrival in the batch
 * reads what an earlier one wrote here (the same sender twice counts twice), everything else from the state.
 */
final class ArrivalBatch {

    private record Key(String user, String key) {
    }

    private final ImportanceState state;
    private final Map<Key, ContactStats> contacts = new LinkedHashMap<>();
    private final Map<Key, ThreadStats> threads = new LinkedHashMap<>();
    private final List<ArrivalWrites.Row<PendingMessage>> pending = new ArrayList<>();

    ArrivalBatch(ImportanceState state) {
        this.state = state;
    }

    ContactStats contact(String user, String address) {
        ContactStats written = contacts.get(new Key(user, address));
        return written != null ? written : state.contact(user, address);
    }

    void saveContact(String user, ContactStats contact) {
        contacts.put(new Key(user, contact.address()), contact);
    }

    ThreadStats thread(String user, String key) {
        ThreadStats written = threads.get(new Key(user, key));
        return written != null ? written : state.thread(user, key);
    }

    void saveThread(String user, ThreadStats thread) {
        threads.put(new Key(user, thread.key()), thread);
    }

    void addPending(String user, PendingMessage message) {
        pending.add(new ArrivalWrites.Row<>(user, message));
    }

    ArrivalWrites writes() {
        List<ArrivalWrites.Row<ContactStats>> contactRows = new ArrayList<>(contacts.size());
        contacts.forEach((key, value) -> contactRows.add(new ArrivalWrites.Row<>(key.user(), value)));
        List<ArrivalWrites.Row<ThreadStats>> threadRows = new ArrayList<>(threads.size());
        threads.forEach((key, value) -> threadRows.add(new ArrivalWrites.Row<>(key.user(), value)));
        return new ArrivalWrites(contactRows, threadRows, pending);
    }
}
