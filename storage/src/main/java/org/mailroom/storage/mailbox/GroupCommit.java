package org.mailroom.storage.mailbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit of the appends to one mailbox: appends that arrive while one is being written are written together,
 * in one transaction, by whichever of their threads gets there first (flat combining), and each caller returns when
 * that transaction has committed, with its own result.
 *
 * <p>Why: an append locks its mailbox row from the UID allocation to its commit (log force included), so appends to
 * one mailbox were committed one after another, however many threads wrote. Combined, a batch takes its UIDs with one
 * UPDATE and pays one commit; its UIDs become visible together, after every lower one (the row lock still orders
 * batches, within this process and across servers).
 *
 * <p>A batch that fails is written again one append at a time, so one bad message fails only its own append. An
 * append that finds nobody writing writes itself at once, alone: it waits for no one.
 *
 * @param <T> an append
 * @param <R> what an append returns
 */
final class GroupCommit<T, R> {
    /** At most this many appends per transaction (bounds a batch's log and the wait of its first caller). */
    static final int MAX_BATCH = 64;
    /** Mailboxes with a lane; past that the table is emptied (a lane is a few small objects). */
    private static final int MAX_LANES = 100_000;

    /** Writes appends of one mailbox in one committed transaction, returning their results in order, or throws. */
    @FunctionalInterface
    interface BatchWriter<T, R> {
        List<R> write(long mailboxId, List<T> appends);
    }

    private static final class Request<T, R> {
        final T append;
        final Thread caller = Thread.currentThread();
        R result;
        RuntimeException failure;
        /** Written last, after {@code result} or {@code failure}: reading true makes them visible. */
        volatile boolean done;

        Request(T append) {
            this.append = append;
        }
    }

    /** The appends of one mailbox waiting to be written, and the lock its writer holds. */
    private static final class Lane<T, R> {
        final ReentrantLock writer = new ReentrantLock();
        final Queue<Request<T, R>> waiting = new ConcurrentLinkedQueue<>();
    }

    private final Map<Long, Lane<T, R>> lanes = new ConcurrentHashMap<>();
    private final BatchWriter<T, R> writer;
    private final LongAdder transactions = new LongAdder();

    GroupCommit(BatchWriter<T, R> writer) {
        this.writer = writer;
    }

    /**
     * Writes {@code append} into the mailbox, alone or with the appends that queue up meanwhile, and returns once it
     * is committed. Two lanes for one mailbox (after the table was emptied) are harmless: their batches are ordered
     * by the mailbox row's lock, as batches of two servers are.
     */
    R append(long mailboxId, T append) {
        Lane<T, R> lane = lane(mailboxId);
        Request<T, R> mine = new Request<>(append);
        lane.waiting.add(mine);
        boolean interrupted = false;
        while (!mine.done) {
            if (lane.writer.tryLock()) {
                try {
                    while (!mine.done) {
                        List<Request<T, R>> batch = drain(lane.waiting);
                        if (batch.isEmpty()) {
                            throw new IllegalStateException("An append left its queue unwritten");
                        }
                        writeBatch(mailboxId, batch);
                    }
                } finally {
                    lane.writer.unlock();
                }
                // Whoever queued while this thread wrote, and was not in its batches, becomes the next writer.
                Request<T, R> next = lane.waiting.peek();
                if (next != null) {
                    LockSupport.unpark(next.caller);
                }
            } else {
                // Woken when its batch has committed, or when the writer leaves with appends still queued.
                LockSupport.park(this);
                // The append is not abandoned (it may already be committing): the interrupt is kept for the caller.
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
        return mine.result;
    }

    /** Transactions written so far, batches and single appends (tests). */
    long transactions() {
        return transactions.sum();
    }

    /** Appends of the mailbox queued and not yet taken into a batch (tests). */
    int queued(long mailboxId) {
        Lane<T, R> lane = lanes.get(mailboxId);
        return lane == null ? 0 : lane.waiting.size();
    }

    private void writeBatch(long mailboxId, List<Request<T, R>> batch) {
        if (batch.size() == 1) {
            writeAlone(mailboxId, batch.get(0));
            return;
        }
        List<T> appends = new ArrayList<>(batch.size());
        for (Request<T, R> request : batch) {
            appends.add(request.append);
        }
        List<R> results;
        try {
            transactions.increment();
            results = writer.write(mailboxId, appends);
        } catch (RuntimeException | Error e) {
            // Nothing of the batch was committed: each append is tried again alone, so only a bad one fails.
            for (Request<T, R> request : batch) {
                writeAlone(mailboxId, request);
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            complete(batch.get(i), results.get(i), null);
        }
    }

    private void writeAlone(long mailboxId, Request<T, R> request) {
        try {
            transactions.increment();
            complete(request, writer.write(mailboxId, List.of(request.append)).get(0), null);
        } catch (RuntimeException e) {
            complete(request, null, e);
        } catch (Error e) {
            complete(request, null, new IllegalStateException("Append failed: " + e, e));
        }
    }

    private void complete(Request<T, R> request, R result, RuntimeException failure) {
        request.result = result;
        request.failure = failure;
        request.done = true;
        LockSupport.unpark(request.caller);
    }

    private static <T, R> List<Request<T, R>> drain(Queue<Request<T, R>> waiting) {
        List<Request<T, R>> batch = new ArrayList<>();
        Request<T, R> next;
        while (batch.size() < MAX_BATCH && (next = waiting.poll()) != null) {
            batch.add(next);
        }
        return batch;
    }

    private Lane<T, R> lane(long mailboxId) {
        Lane<T, R> lane = lanes.get(mailboxId);
        if (lane != null) {
            return lane;
        }
        if (lanes.size() >= MAX_LANES) {
            lanes.clear();
        }
        return lanes.computeIfAbsent(mailboxId, id -> new Lane<>());
    }
}
