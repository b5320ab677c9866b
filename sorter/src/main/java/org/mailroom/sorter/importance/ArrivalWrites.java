package org.mailroom.sorter.importance;

import java.util.List;

/**
 * What recording a batch of arrivals changes in the {@link ImportanceState}, handed over at once so that a durable
 * state can commit it in one transaction ({@link ImportanceState#saveArrivals}): the final contact and thread rows
 * (each key once, its last value) and the pending messages, each in the order the arrivals produced them.
 */
public record ArrivalWrites(List<Row<ContactStats>> contacts, List<Row<ThreadStats>> threads,
                            List<Row<PendingMessage>> pending) {

    public ArrivalWrites {
        contacts = List.copyOf(contacts);
        threads = List.copyOf(threads);
        pending = List.copyOf(pending);
    }

    /** One row of {@code user}'s state. */
    public record Row<T>(String user, T value) {
    }

    public boolean isEmpty() {
        return contacts.isEmpty() && threads.isEmpty() && pending.isEmpty();
    }
}
