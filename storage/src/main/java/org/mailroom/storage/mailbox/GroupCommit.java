package org.mailroom.storage.mailbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit of appends: appends that arrive while one is being written are written together, in one transaction,
 * by whichever of their threads gets there first (flat combining), and each caller returns when that transaction has
 * committed, with its own result.
 *
 * <p>Why: an append locks its mailbox row from the UID allocation to its commit (log force included), so appends to
 * one mailbox were committed one after another, however many threads wrote. Combined, a batch takes each mailbox's
 * UIDs with one UPDATE and pays one commit; its UIDs become visible together, after every lower one (the row lock
 * still orders batches, within this process and across servers). Appends to <em>different</em> mailboxes combine
 * too (SMTP delivers to many users at once): the commit's log force costs far more CPU than a small transaction's
 * statements (bench/README.md), and one force then serves the whole batch.
 *
 * <p>Mailboxes are spread over {@link #LANES} lanes by a hash of their id, each with its own writer, so batches of
 * different lanes are written in parallel and never share a mailbox row; a batch locks its mailbox rows in ascending
 * id order (the writer's job), so two batches never wait on each other in opposite orders. The lanes are many for
 * a reason: an append that finds its lane's writer busy waits for it, however unrelated the mailbox being written,
 * so two busy mailboxes in one lane take turns (often each alone in its transaction: the other's next append comes
 * while this one is written) instead of committing side by side. With four lanes, eight threads appending to eight
 * mailboxes ran as four such pairs (bench/README.md, "h-append: lanes"); appends to different mailboxes still
 * combine when they meet in a lane, which is when many are in flight and the CPU a shared commit saves counts most.
 * {@link #laneOf} spreads ids in a stride too (each user's INBOX when every user got the same folders at once).
 *
 * <p>A batch that fails is written again one append at a time, so one bad message (or a deleted mailbox) fails only
 * its own append. An append that finds nobody writing writes itself at once, alone: it waits for no one.
 *
 * @param <T> an append
 * @param <R> what an append returns
 */
final class GroupCommit<T, R> {
    /** At most this many appends per transaction (bounds a batch's log and the wait of its first caller). */
    static final int MAX_BATCH = 64;
    /** Lanes, each written by one thread at a time (a power of two, see {@link #laneOf}). */
    static final int LANES = 16;
    private static final int LANE_BITS = Integer.numberOfTrailingZeros(LANES);

    /** An append and the mailbox it goes to. */
    record Append<T>(long mailboxId, T value) {
    }

    /**
     * Writes appends (to one or more mailboxes; those of one mailbox in the order given) in one committed
     * transaction, returning their results in order, or throws.
     */
    @FunctionalInterface
    interface BatchWriter<T, R> {
        List<R> write(List<Append<T>> appends);
    }

    private static final class Request<T, R> {
        final Append<T> append;
        final Thread caller = Thread.currentThread();
        R result;
        RuntimeException failure;
        /** Written last, after {@code result} or {@code failure}: reading true makes them visible. */
        volatile boolean done;

        Request(Append<T> append) {
            this.append = append;
        }
    }

    /** The appends of a lane's mailboxes waiting to be written, and the lock its writer holds. */
    private static final class Lane<T, R> {
        final ReentrantLock writer = new ReentrantLock();
        final Queue<Request<T, R>> waiting = new ConcurrentLinkedQueue<>();
    }

    private final List<Lane<T, R>> lanes = new ArrayList<>(LANES);
    private final BatchWriter<T, R> writer;
    private final LongAdder transactions = new LongAdder();

    GroupCommit(BatchWriter<T, R> writer) {
        this.writer = writer;
        for (int i = 0; i < LANES; i++) {
            lanes.add(new Lane<>());
        }
    }

    /**
     * Writes {@code append} into the mailbox, alone or with the appends that queue up meanwhile, and returns once it
     * is committed.
     */
    R append(long mailboxId, T append) {
        Lane<T, R> lane = lane(mailboxId);
        Request<T, R> mine = new Request<>(new Append<>(mailboxId, append));
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
                        writeBatch(batch);
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
        int queued = 0;
        for (Request<T, R> request : lane(mailboxId).waiting) {
            queued += request.append.mailboxId() == mailboxId ? 1 : 0;
        }
        return queued;
    }

    private void writeBatch(List<Request<T, R>> batch) {
        if (batch.size() == 1) {
            writeAlone(batch.get(0));
            return;
        }
        List<Append<T>> appends = new ArrayList<>(batch.size());
        for (Request<T, R> request : batch) {
            appends.add(request.append);
        }
        List<R> results;
        try {
            transactions.increment();
            results = writer.write(appends);
        } catch (RuntimeException | Error e) {
            // Nothing of the batch was committed: each append is tried again alone, so only a bad one fails.
            for (Request<T, R> request : batch) {
                writeAlone(request);
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            complete(batch.get(i), results.get(i), null);
        }
    }

    private void writeAlone(Request<T, R> request) {
        try {
            transactions.increment();
            complete(request, writer.write(List.of(request.append)).get(0), null);
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
        return lanes.get(laneOf(mailboxId));
    }

    /**
     * The lane of a mailbox: Fibonacci hashing of its id (the top bits of the id times 2^64 / golden ratio), so that
     * consecutive ids fall in different lanes, and so do ids in a stride that the id modulo the lane count would put
     * in one lane (a stride of 4 or 16).
     */
    static int laneOf(long mailboxId) {
        return (int) ((mailboxId * 0x9E3779B97F4A7C15L) >>> (Long.SIZE - LANE_BITS));
    }
}
