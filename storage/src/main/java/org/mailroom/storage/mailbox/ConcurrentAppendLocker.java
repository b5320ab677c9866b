package org.mailroom.storage.mailbox;

import org.apache.james.mailbox.MailboxPathLocker;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MailboxPath;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * The path lock Mailroom's message managers take: appends to one mailbox share it, so they reach the store together
 * and are combined into group commits ({@link GroupCommit}); copies and moves into the mailbox (marked with
 * {@link #exclusive}) and everything the mailbox manager locks (create, rename, delete: it holds the wrapped locker
 * itself) still exclude every other writer of the path.
 *
 * <p>James takes the path's write lock for an append, a copy and a move alike, from the UID allocation to the
 * dispatch of the "added" event. For an append the lock is not what keeps UIDs right: the store allocates them in the
 * mailbox row's transaction, which orders them within this process and across servers. What the lock also did, keep
 * the events in UID order, {@link OrderedAddedEvents} does for concurrent appends. A copy or move of several messages
 * stays exclusive so that its UIDs are consecutive and its single event holds no UID of a concurrent append.
 */
final class ConcurrentAppendLocker implements MailboxPathLocker {
    private static final String EXCLUSIVE = ConcurrentAppendLocker.class.getName() + ".exclusive";

    private final MailboxPathLocker paths;

    /** @param paths the path locks shared with the mailbox manager (its writes exclude the appends here) */
    ConcurrentAppendLocker(MailboxPathLocker paths) {
        this.paths = paths;
    }

    /** Runs {@code work}, whose path locks are then exclusive even for an append: a copy or move. */
    static <T> Mono<T> exclusive(Mono<T> work) {
        return work.contextWrite(context -> context.put(EXCLUSIVE, Boolean.TRUE));
    }

    @Override
    public <T> T executeWithLock(MailboxPath path, LockAwareExecution<T> execution, LockType lockType)
            throws MailboxException {
        // The blocking form carries no context: nothing in the message manager uses it for appends.
        return paths.executeWithLock(path, execution, lockType);
    }

    @Override
    public <T> Publisher<T> executeReactiveWithLockReactive(MailboxPath path, Publisher<T> execution, LockType lockType) {
        return Mono.deferContextual(context -> Mono.from(
            paths.executeReactiveWithLockReactive(path, execution, shared(context) ? LockType.Read : lockType)));
    }

    private static boolean shared(ContextView context) {
        return !context.getOrDefault(EXCLUSIVE, Boolean.FALSE);
    }
}
