package org.mailroom.smtp.outbound;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which SMTP connection carries a transaction, so that messages for the same destination (MX host address
 * and port, or the smarthost) share connections instead of each opening its own: a transaction takes an idle
 * connection to its destination when there is one (asking it with NOOP first when it sat idle for a while), or
 * opens one; afterwards the connection waits for the next transaction unless it is broken, has carried
 * {@code messagesPerConnection} transactions, or sits idle longer than {@link #IDLE_LIMIT_NANOS} (then it is closed,
 * like Postfix's connection cache does after 2 s). At most {@code perDestination} transactions run at once to one
 * destination and {@code overall} in total; the others wait their turn, which is when they find a connection the
 * previous transaction left open. A destination's bookkeeping is dropped once nothing uses it and it holds no idle
 * connection, so a server that has sent to many domains over months does not keep one entry per domain forever.
 */
final class ConnectionReuse implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionReuse.class);
    /** Postfix's smtp_connection_cache_time_limit. */
    static final long IDLE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** A connection idle for less than this is used without asking the remote first. */
    private static final long CHECK_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final AtomicInteger REAPERS = new AtomicInteger();

    /** The limit and the idle connections of one destination. */
    private static final class Lane {
        final Semaphore turns;
        final Deque<SmtpTransfer.Connection> idle = new ArrayDeque<>();
        /**
         * Transactions holding this lane (waiting for a turn or sending). Changed only inside the map's
         * {@code compute} for this destination, which is also where an unused lane is removed: a lane is never
         * dropped while a transaction holds it, so two lanes (and twice the per-destination limit) never exist.
         */
        int users;

        Lane(int perDestination) {
            turns = new Semaphore(perDestination, true);
        }
    }

    private final SmtpTransfer transfer;
    private final int perDestination;
    private final int messagesPerConnection;
    private final Semaphore overall;
    private final Map<SmtpTransfer.Destination, Lane> lanes = new ConcurrentHashMap<>();
    private final AtomicInteger opened = new AtomicInteger();
    private final ScheduledExecutorService reaper;
    private volatile boolean closed;

    ConnectionReuse(SmtpTransfer transfer, int perDestination, int overall, int messagesPerConnection) {
        this.transfer = Objects.requireNonNull(transfer, "transfer");
        if (perDestination < 1 || overall < 1 || messagesPerConnection < 1) {
            throw new IllegalArgumentException("connection limits must be at least 1: " + perDestination + ", "
                + overall + ", " + messagesPerConnection);
        }
        this.perDestination = perDestination;
        this.messagesPerConnection = messagesPerConnection;
        this.overall = new Semaphore(overall, true);
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "mailroom-outbound-idle-" + REAPERS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        reaper.scheduleWithFixedDelay(this::closeExpired, 1, 1, TimeUnit.SECONDS);
    }

    /** One transaction to the destination, on a connection it shares with the transactions before and after it. */
    SmtpTransfer.Result send(SmtpTransfer.Destination destination, String sender, List<String> recipients,
                             OutgoingMessage message) {
        Lane lane = lanes.compute(destination, (d, existing) -> {
            Lane held = existing == null ? new Lane(perDestination) : existing;
            held.users++;
            return held;
        });
        try {
            return sendInLane(lane, destination, sender, recipients, message);
        } finally {
            lanes.computeIfPresent(destination, (d, held) -> {
                held.users--;
                return held;
            });
        }
    }

    private SmtpTransfer.Result sendInLane(Lane lane, SmtpTransfer.Destination destination, String sender,
                                           List<String> recipients, OutgoingMessage message) {
        lane.turns.acquireUninterruptibly();
        overall.acquireUninterruptibly();
        SmtpTransfer.Connection connection = null;
        try {
            connection = idleConnection(lane);
            if (connection == null) {
                try {
                    connection = transfer.connect(destination);
                    opened.incrementAndGet();
                } catch (SmtpTransfer.ConnectFailed e) {
                    return new SmtpTransfer.Result(Map.of(), Optional.of(e.reply()));
                }
            }
            SmtpTransfer.Result result = connection.send(sender, recipients, message);
            if (!closed && connection.reusable() && connection.transactions() < messagesPerConnection) {
                synchronized (lane) {
                    lane.idle.push(connection);
                }
                connection = null;
            }
            return result;
        } finally {
            if (connection != null) {
                connection.close();
            }
            overall.release();
            lane.turns.release();
        }
    }

    /** The most recently used idle connection that still works, or null. */
    private static SmtpTransfer.Connection idleConnection(Lane lane) {
        while (true) {
            SmtpTransfer.Connection candidate;
            synchronized (lane) {
                candidate = lane.idle.poll();
            }
            if (candidate == null) {
                return null;
            }
            if (candidate.idleNanos() < IDLE_LIMIT_NANOS
                && (candidate.idleNanos() < CHECK_AFTER_NANOS || candidate.alive())) {
                return candidate;
            }
            candidate.close();
        }
    }

    /** Connections opened so far (each carries one or more transactions). */
    int connectionsOpened() {
        return opened.get();
    }

    /** Destinations with bookkeeping now: those in use or with idle connections. */
    int destinationsTracked() {
        return lanes.size();
    }

    /** Closes every idle connection now (the next transaction to each destination opens a new one). */
    void closeIdle() {
        closeWhere(true);
    }

    private void closeExpired() {
        try {
            closeWhere(false);
        } catch (RuntimeException e) {
            LOG.warn("Closing idle outbound connections failed: {}", e.toString());
        }
    }

    private void closeWhere(boolean all) {
        List<SmtpTransfer.Connection> expired = new ArrayList<>();
        for (Lane lane : lanes.values()) {
            synchronized (lane) {
                lane.idle.removeIf(c -> {
                    boolean drop = all || c.idleNanos() >= IDLE_LIMIT_NANOS;
                    if (drop) {
                        expired.add(c);
                    }
                    return drop;
                });
            }
        }
        expired.forEach(SmtpTransfer.Connection::close);
        for (SmtpTransfer.Destination destination : lanes.keySet()) {
            lanes.computeIfPresent(destination, (d, lane) -> {
                synchronized (lane) {
                    return lane.users == 0 && lane.idle.isEmpty() ? null : lane;
                }
            });
        }
    }

    /** Closes the idle connections; transactions still running finish on theirs and close them. */
    @Override
    public void close() {
        closed = true;
        reaper.shutdownNow();
        closeIdle();
    }
}
