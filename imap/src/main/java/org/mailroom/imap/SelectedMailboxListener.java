package org.mailroom.imap;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.james.events.Event;
import org.apache.james.events.EventListener;
import org.apache.james.imap.processor.base.SelectedMailboxImpl;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Mono;

/**
 * A selected mailbox's listener (James's {@link SelectedMailboxImpl}) that takes a mailbox event on the thread that
 * delivers it, instead of on a thread of Reactor's {@code boundedElastic} pool.
 *
 * <p>Why: James's listener is synchronous (the STORE, APPEND or EXPUNGE that dispatched the event waits for it), and
 * its {@code reactiveEvent} moves each event to {@code boundedElastic} ({@code subscribeOn}) before applying it; the
 * command then goes on on that pool's thread. Under the mixed IMAP load that is a thread wake-up and hand-off per
 * change, after the transaction's own. What applying an event does (adding UIDs to in-memory sets, under the
 * object's monitor) never waits for I/O, and none of {@code SelectedMailboxImpl}'s synchronized methods waits for
 * anything while it holds the monitor, so it is done where the event arrives; the monitor still orders it with the
 * session's own reads, as before, and the dispatcher still waits for it (the bus's order of events is kept).
 *
 * <p>While the session is in IDLE, the event goes to James's listener unchanged: IDLE's own listener writes
 * untagged responses, which may read the store (a FETCH of flags), and that stays on the blocking pool.
 *
 * <p>{@code SelectedMailboxImpl} keeps the method that applies an event ({@code synchronizedEvent}) and the IDLE
 * listener private; they are reached through a private lookup (the James jars are on the class path, in the
 * unnamed module). If a James version no longer has them, {@link #wrap} leaves the listener as it is
 * ({@code SelectedMailboxListenerTest} fails on such a version).
 */
final class SelectedMailboxListener implements EventListener.ReactiveEventListener {
    private static final MethodHandle APPLY;
    private static final VarHandle IDLE_LISTENER;

    static {
        MethodHandle apply = null;
        VarHandle idle = null;
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(SelectedMailboxImpl.class, MethodHandles.lookup());
            apply = lookup.findVirtual(SelectedMailboxImpl.class, "synchronizedEvent",
                MethodType.methodType(void.class, Event.class));
            idle = lookup.findVarHandle(SelectedMailboxImpl.class, "idleEventListener", AtomicReference.class);
        } catch (ReflectiveOperationException | IllegalArgumentException | SecurityException e) {
            apply = null;
            idle = null;
        }
        APPLY = apply;
        IDLE_LISTENER = idle;
    }

    private final SelectedMailboxImpl selected;

    private SelectedMailboxListener(SelectedMailboxImpl selected) {
        this.selected = selected;
    }

    /** The listener to register for a selected mailbox: this one around James's, or any other listener unchanged. */
    static EventListener.ReactiveEventListener wrap(EventListener.ReactiveEventListener listener) {
        if (listener instanceof SelectedMailboxImpl selected && available()) {
            return new SelectedMailboxListener(selected);
        }
        return listener;
    }

    /** Whether this James version has what the listener needs (false: selected mailboxes keep James's listener). */
    static boolean available() {
        return APPLY != null;
    }

    @Override
    public Publisher<Void> reactiveEvent(Event event) {
        if (idleListener() != null) {
            return selected.reactiveEvent(event);
        }
        return Mono.fromRunnable(() -> apply(event));
    }

    @Override
    public boolean isHandling(Event event) {
        return selected.isHandling(event);
    }

    @Override
    public ExecutionMode getExecutionMode() {
        return selected.getExecutionMode();
    }

    private Object idleListener() {
        return ((AtomicReference<?>) IDLE_LISTENER.get(selected)).get();
    }

    private void apply(Event event) {
        try {
            APPLY.invokeExact(selected, event);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
