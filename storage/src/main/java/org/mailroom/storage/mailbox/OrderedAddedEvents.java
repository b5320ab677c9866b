package org.mailroom.storage.mailbox;

import java.util.List;
import java.util.Set;

import org.apache.james.events.Event;
import org.apache.james.events.EventBus;
import org.apache.james.events.RegistrationKey;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.events.MailboxEvents;

import reactor.core.publisher.Mono;

/**
 * The event bus of Mailroom's message managers: an "added" event is dispatched only once every lower UID this
 * process allocated in the mailbox has had its own event ({@link AddedEventOrder}), so sessions learn of new
 * messages in UID order although appends to one mailbox commit and dispatch concurrently. Everything else passes
 * through unchanged.
 */
final class OrderedAddedEvents extends ForwardingEventBus {
    private final AddedEventOrder order;

    OrderedAddedEvents(EventBus delegate, AddedEventOrder order) {
        super(delegate);
        this.order = order;
    }

    @Override
    public Mono<Void> dispatch(Event event, Set<RegistrationKey> keys) {
        if (!(event instanceof MailboxEvents.Added added) || added.getUids().isEmpty()) {
            return super.dispatch(event, keys);
        }
        long mailboxId = StoredMailboxId.of(added.getMailboxId()).value();
        List<Long> uids = added.getUids().stream().map(MessageUid::asLong).toList();
        long lowest = uids.stream().mapToLong(Long::longValue).min().orElseThrow();
        // Dispatch runs on the thread that committed the append (a blocking-capable one), so waiting here is fine.
        return Mono.defer(() -> {
                try {
                    order.awaitTurn(mailboxId, lowest);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.dispatch(event, keys);
            })
            .doFinally(signal -> order.released(mailboxId, uids));
    }
}
