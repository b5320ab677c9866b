package org.mailroom.imap;

import org.apache.james.events.EventBus;
import org.apache.james.events.EventListener;
import org.apache.james.events.Registration;
import org.apache.james.events.RegistrationKey;
import org.mailroom.storage.mailbox.ForwardingEventBus;
import org.reactivestreams.Publisher;

/**
 * The event bus the SELECT and EXAMINE processors register each selected mailbox with: James builds the selected
 * mailbox itself, so this is where its listener can be replaced ({@link SelectedMailboxListener}, which takes events
 * on the delivering thread). Everything else goes to the server's bus unchanged.
 */
final class SelectionEventBus extends ForwardingEventBus {
    SelectionEventBus(EventBus delegate) {
        super(delegate);
    }

    @Override
    public Publisher<Registration> register(EventListener.ReactiveEventListener listener, RegistrationKey key) {
        return super.register(SelectedMailboxListener.wrap(listener), key);
    }
}
