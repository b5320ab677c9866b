package org.mailroom.storage.mailbox;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.events.Event;
import org.apache.james.events.EventBus;
import org.apache.james.events.EventListener;
import org.apache.james.events.Group;
import org.apache.james.events.GroupAlreadyRegistered;
import org.apache.james.events.Registration;

import reactor.core.publisher.Mono;

/**
 * James's event bus, remembering its group listeners so a producer can ask whether an event without registration
 * keys would reach anyone before paying to build it: the quota usage announced after every append costs a usage
 * query, and in Mailroom no listener takes it (IMAP computes QUOTA responses on demand).
 */
public final class ListenerAwareEventBus extends ForwardingEventBus {
    private final Map<Group, EventListener.ReactiveEventListener> groupListeners = new ConcurrentHashMap<>();

    public ListenerAwareEventBus(EventBus delegate) {
        super(delegate);
    }

    /**
     * Whether a group listener handles this event: a keyless dispatch reaches group listeners only, so when this is
     * false, dispatching it would deliver it to nobody.
     */
    public boolean hasGroupListenerFor(Event event) {
        for (EventListener.ReactiveEventListener listener : groupListeners.values()) {
            if (listener.isHandling(event)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Registration register(EventListener.ReactiveEventListener listener, Group group) throws GroupAlreadyRegistered {
        Registration registration = super.register(listener, group);
        groupListeners.put(group, listener);
        return () -> Mono.from(registration.unregister())
            .doFinally(signal -> groupListeners.remove(group, listener));
    }
}
