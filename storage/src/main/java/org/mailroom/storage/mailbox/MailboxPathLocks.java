package org.mailroom.storage.mailbox;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.StampedLock;

import org.apache.james.mailbox.MailboxPathLocker;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.store.JVMMailboxPathLocker;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The mailbox path locks of one process (a read/write lock per path, as James's {@link JVMMailboxPathLocker}), with
 * a shared lock taken on the thread that asks for it rather than on another thread.
 *
 * <p>James's locker subscribes every locked publisher on its own "jvm-path-locker" scheduler, because taking the lock
 * may wait. For an append that is a thread hand-off per message and nothing else: James's {@code appendMessage} has
 * already moved the work to a thread that may block ({@code boundedElastic}), which then parks until the path-locker
 * thread has written the message, and wakes the caller. Appends take the shared lock ({@link ConcurrentAppendLocker}),
 * which waits only for a copy, move, create, rename or delete of that mailbox, so here a shared lock is taken on the
 * subscribing thread when that thread may block; its group commit ({@link GroupCommit}) runs there too. A thread that
 * must not block (Reactor's non-blocking schedulers) still hands the work to James's path-locker scheduler, and so
 * do exclusive locks, as before: their holders (a mailbox delete, a large copy) can take long, and the caller may be
 * an event loop.
 *
 * <p>The locks are the same objects for both ways of taking them, so a shared holder on a caller's thread and an
 * exclusive one on a path-locker thread still exclude each other. A {@link StampedLock}'s views are not owned by a
 * thread: the lock is released by whichever thread completes the publisher, as in James's locker.
 */
public final class MailboxPathLocks implements MailboxPathLocker {
    private final ConcurrentHashMap<MailboxPath, StampedLock> paths = new ConcurrentHashMap<>();

    @Override
    public <T> T executeWithLock(MailboxPath path, LockAwareExecution<T> execution, LockType lockType)
            throws MailboxException {
        Lock lock = lock(path, lockType);
        lock.lock();
        try {
            return execution.execute();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public <T> Publisher<T> executeReactiveWithLockReactive(MailboxPath path, Publisher<T> execution, LockType lockType) {
        Mono<T> locked = Mono.using(() -> {
            Lock lock = lock(path, lockType);
            lock.lock();
            return lock;
        }, lock -> Mono.from(execution), Lock::unlock);
        return Mono.defer(() -> onCallersThread(lockType)
            ? locked
            : locked.subscribeOn(JVMMailboxPathLocker.LOCKER_WRAPPER));
    }

    private static boolean onCallersThread(LockType lockType) {
        return lockType == LockType.Read && !Schedulers.isInNonBlockingThread();
    }

    private Lock lock(MailboxPath path, LockType lockType) {
        StampedLock lock = paths.computeIfAbsent(path, any -> new StampedLock());
        return lockType == LockType.Write ? lock.asWriteLock() : lock.asReadLock();
    }
}
