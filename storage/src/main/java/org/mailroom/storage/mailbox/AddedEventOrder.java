package org.mailroom.storage.mailbox;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the "message added" events of each mailbox in UID order while appends to it run concurrently.
 *
 * <p>James holds a mailbox's path lock from an append's UID allocation to the dispatch of its {@code Added} event, so
 * IMAP sessions (whose message sequence numbers follow the events) learned of new UIDs in ascending order. Mailroom's
 * message managers do not take that lock ({@link ConcurrentAppendLocker}): appends to one mailbox are combined into
 * group commits instead, and their callers dispatch their events concurrently. Without an order here, a session
 * could announce UID n+1 and then UID n, a new lower UID appearing after a higher one.
 *
 * <p>How: the mapper records each UID it allocates ({@link #allocated}) inside the transaction, while the mailbox
 * row's lock is held, so the record follows the commit order (within this process, every allocation for a mailbox
 * holds that lock), then marks them committed ({@link #committed}); a rolled-back allocation is withdrawn
 * ({@link #released}). A dispatcher waits ({@link #awaitTurn}) until no lower UID of the mailbox is still waiting for
 * its own event, then dispatches and releases its UIDs. A committed UID whose event never comes (an add made through
 * the mapper alone, a caller that gave up after the commit) stops holding others back {@link #STRAGGLER_NANOS} after
 * its commit; an uncommitted one holds them until its transaction ends either way (a higher UID's transaction cannot
 * commit first: the mailbox row's lock orders them).
 */
final class AddedEventOrder {
    /** How long after its commit a UID whose event has not been dispatched holds back the events of higher UIDs. */
    static final long STRAGGLER_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** The commit time of a UID whose transaction has not ended yet. */
    private static final long UNCOMMITTED = Long.MAX_VALUE;
    /** Mailboxes tracked; past that the table is emptied (each mailbox costs a few objects), at worst one misorder. */
    private static final int MAX_MAILBOXES = 100_000;

    /** UIDs allocated and not yet released, with the time they were committed; guarded by itself. */
    private static final class Pending {
        final TreeMap<Long, Long> since = new TreeMap<>();
    }

    private final Map<Long, Pending> byMailbox = new ConcurrentHashMap<>();
    private final long stragglerNanos;

    AddedEventOrder() {
        this(STRAGGLER_NANOS);
    }

    /** @param stragglerNanos how long a committed UID's missing event holds back higher ones */
    AddedEventOrder(long stragglerNanos) {
        this.stragglerNanos = stragglerNanos;
    }

    /** Records UIDs {@code first..first+count-1}, just allocated in a transaction not yet committed. */
    void allocated(long mailboxId, long first, int count) {
        Pending pending = pending(mailboxId);
        synchronized (pending) {
            forgetStragglers(pending, System.nanoTime());
            for (int i = 0; i < count; i++) {
                pending.since.put(first + i, UNCOMMITTED);
            }
        }
    }

    /** Marks UIDs recorded by {@link #allocated} as committed: their events are due now. */
    void committed(long mailboxId, Collection<Long> uids) {
        Pending pending = byMailbox.get(mailboxId);
        if (pending == null || uids.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        synchronized (pending) {
            for (Long uid : uids) {
                pending.since.replace(uid, now);
            }
            pending.notifyAll();
        }
    }

    /** Removes UIDs whose transaction rolled back, or whose event was dispatched: higher UIDs no longer wait. */
    void released(long mailboxId, Collection<Long> uids) {
        if (uids.isEmpty()) {
            return;
        }
        Pending pending = byMailbox.get(mailboxId);
        if (pending == null) {
            return;
        }
        synchronized (pending) {
            boolean changed = false;
            for (Long uid : uids) {
                changed |= pending.since.remove(uid) != null;
            }
            if (changed) {
                pending.notifyAll();
            }
        }
    }

    /**
     * Waits until no UID below {@code lowest} in the mailbox is waiting for its event (or the wait has passed
     * {@link #STRAGGLER_NANOS} for it). UIDs this process never allocated (another server's) are not waited for.
     */
    void awaitTurn(long mailboxId, long lowest) throws InterruptedException {
        Pending pending = byMailbox.get(mailboxId);
        if (pending == null) {
            return;
        }
        synchronized (pending) {
            while (true) {
                long now = System.nanoTime();
                forgetStragglers(pending, now);
                Map.Entry<Long, Long> first = pending.since.firstEntry();
                if (first == null || first.getKey() >= lowest) {
                    return;
                }
                long waitNanos = first.getValue() == UNCOMMITTED ? stragglerNanos
                    : first.getValue() + stragglerNanos - now;
                TimeUnit.NANOSECONDS.timedWait(pending, Math.max(waitNanos, 1));
            }
        }
    }

    /** UIDs of the mailbox still waiting for their events (tests). */
    int pendingCount(long mailboxId) {
        Pending pending = byMailbox.get(mailboxId);
        if (pending == null) {
            return 0;
        }
        synchronized (pending) {
            return pending.since.size();
        }
    }

    private Pending pending(long mailboxId) {
        Pending pending = byMailbox.get(mailboxId);
        if (pending != null) {
            return pending;
        }
        if (byMailbox.size() >= MAX_MAILBOXES) {
            byMailbox.clear();
        }
        return byMailbox.computeIfAbsent(mailboxId, id -> new Pending());
    }

    private void forgetStragglers(Pending pending, long now) {
        Map.Entry<Long, Long> first;
        while ((first = pending.since.firstEntry()) != null && first.getValue() != UNCOMMITTED
               && now - first.getValue() >= stragglerNanos) {
            pending.since.pollFirstEntry();
            pending.notifyAll();
        }
    }
}
