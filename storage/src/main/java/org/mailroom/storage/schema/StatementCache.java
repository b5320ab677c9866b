package org.mailroom.storage.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps prepared statements open on each physical connection and hands them out again for the same SQL text.
 * Preparing a statement in Derby (a statement-cache lookup, a new statement object and a new activation) cost
 * about as much CPU as executing a small one, and an append runs several; HikariCP has no statement cache.
 *
 * <p>The work given to {@link Database#read} and {@link Database#transaction} sees a connection whose
 * {@code prepareStatement(String)} checks a statement out of this cache (preparing one when none is idle) and
 * whose statements ({@link CachedStatement}) check themselves back in when closed, with parameters and batch
 * cleared. A statement is never shared: one checked out twice at once (a query run inside the loop over its own
 * results) is prepared twice. A statement whose settings were changed (max rows, fetch size, time-out, ...) is
 * closed rather than reused.
 */
final class StatementCache {
    /** Idle statements kept per connection, least recently used closed first. */
    private static final int IDLE_PER_CONNECTION = 128;

    private final Map<Connection, IdleStatements> byConnection = new ConcurrentHashMap<>();

    /** The pooled connection as the work sees it: statements come from and go back to this cache. */
    Connection wrap(Connection pooled) throws SQLException {
        Connection physical = pooled.unwrap(Connection.class);
        IdleStatements idle = byConnection.get(physical);
        if (idle == null) {
            // A connection the pool has not handed out before: the moment to forget those it has closed since.
            byConnection.keySet().removeIf(StatementCache::isClosed);
            idle = new IdleStatements();
            byConnection.put(physical, idle);
        }
        return new CachedConnection(pooled, physical, idle);
    }

    private static boolean isClosed(Connection connection) {
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    /** The open, unused statements of one physical connection, by SQL text. */
    static final class IdleStatements {
        private final LinkedHashMap<String, PreparedStatement> statements = new LinkedHashMap<>(32, 0.75f, true);

        synchronized PreparedStatement take(String sql) {
            return statements.remove(sql);
        }

        synchronized void giveBack(String sql, PreparedStatement statement) {
            if (statements.containsKey(sql)) {
                closeQuietly(statement);
                return;
            }
            statements.put(sql, statement);
            if (statements.size() > IDLE_PER_CONNECTION) {
                Iterator<PreparedStatement> eldest = statements.values().iterator();
                closeQuietly(eldest.next());
                eldest.remove();
            }
        }
    }

    static void closeQuietly(PreparedStatement statement) {
        try {
            statement.close();
        } catch (SQLException e) {
            // Closing a statement of a broken connection: nothing left to release.
        }
    }
}
