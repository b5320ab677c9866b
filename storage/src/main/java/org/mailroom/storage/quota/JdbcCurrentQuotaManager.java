package org.mailroom.storage.quota;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.Callable;

import org.apache.james.core.quota.QuotaCountUsage;
import org.apache.james.core.quota.QuotaSizeUsage;
import org.apache.james.mailbox.model.CurrentQuotas;
import org.apache.james.mailbox.model.QuotaOperation;
import org.apache.james.mailbox.model.QuotaRoot;
import org.apache.james.mailbox.quota.CurrentQuotaManager;
import org.mailroom.storage.schema.Database;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The message count and bytes each quota root currently uses: the sum of the counters on its mailboxes' rows
 * ({@code message_count}, {@code message_bytes}, kept by the transactions that add or remove messages) plus an
 * adjustment row ({@code mr_quota_adjustment}) holding what this API itself was asked to change. Appends never
 * write a per-root row, so one user's mailboxes are appended to in parallel; every change is relative (or, for
 * {@link #setCurrentQuotas}, computed in one transaction), so concurrent writers never lose an increment.
 */
public final class JdbcCurrentQuotaManager implements CurrentQuotaManager {
    /** A root's mailboxes (found through the unique path index) and its adjustment, summed in one statement. */
    private static final String USAGE = "SELECT COALESCE(SUM(u.messages), 0), COALESCE(SUM(u.bytes), 0) FROM ("
        + "SELECT message_count, message_bytes FROM mr_mailbox WHERE namespace = ? AND owner = ?"
        + " UNION ALL SELECT message_count, storage_bytes FROM mr_quota_adjustment WHERE quota_root = ?) u (messages, bytes)";
    private static final String MAILBOXES_ONLY = "SELECT COALESCE(SUM(message_count), 0), COALESCE(SUM(message_bytes), 0)"
        + " FROM mr_mailbox WHERE namespace = ? AND owner = ?";

    private final Database db;

    public JdbcCurrentQuotaManager(Database db) {
        this.db = db;
    }

    @Override
    public Mono<QuotaCountUsage> getCurrentMessageCount(QuotaRoot quotaRoot) {
        return getCurrentQuotas(quotaRoot).map(CurrentQuotas::count);
    }

    @Override
    public Mono<QuotaSizeUsage> getCurrentStorage(QuotaRoot quotaRoot) {
        return getCurrentQuotas(quotaRoot).map(CurrentQuotas::size);
    }

    @Override
    public Mono<CurrentQuotas> getCurrentQuotas(QuotaRoot quotaRoot) {
        String root = key(quotaRoot);
        return blocking(() -> db.read(connection -> {
            long[] usage = sum(connection, root, true);
            return new CurrentQuotas(QuotaCountUsage.count(usage[0]), QuotaSizeUsage.size(usage[1]));
        }));
    }

    /** Messages and bytes of the root's mailboxes, with its adjustment row or without. */
    private static long[] sum(Connection connection, String root, boolean withAdjustment) throws SQLException {
        QuotaRootKey path = QuotaRootKey.parse(root);
        try (PreparedStatement select = connection.prepareStatement(withAdjustment ? USAGE : MAILBOXES_ONLY)) {
            select.setString(1, path.namespace());
            select.setString(2, path.owner());
            if (withAdjustment) {
                select.setString(3, root);
            }
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    @Override
    public Mono<Void> increase(QuotaOperation operation) {
        return add(operation.quotaRoot(), operation.count().asLong(), operation.size().asLong());
    }

    @Override
    public Mono<Void> decrease(QuotaOperation operation) {
        // Usage may go negative (the contract allows it): a later recomputation with setCurrentQuotas repairs it.
        return add(operation.quotaRoot(), -operation.count().asLong(), -operation.size().asLong());
    }

    @Override
    public Mono<Void> setCurrentQuotas(QuotaOperation operation) {
        String root = key(operation.quotaRoot());
        long count = operation.count().asLong();
        long size = operation.size().asLong();
        return blocking(() -> {
            // The mailboxes hold what they hold: the adjustment becomes whatever makes the total the wanted value.
            // Read in the same transaction; an append committing in between is counted by its mailbox row either way.
            UpdateOrInsert.run(db,
                connection -> {
                    long[] mailboxes = sum(connection, root, false);
                    try (PreparedStatement update = connection.prepareStatement(
                        "UPDATE mr_quota_adjustment SET message_count = ?, storage_bytes = ? WHERE quota_root = ?")) {
                        update.setLong(1, count - mailboxes[0]);
                        update.setLong(2, size - mailboxes[1]);
                        update.setString(3, root);
                        return update.executeUpdate();
                    }
                },
                connection -> {
                    long[] mailboxes = sum(connection, root, false);
                    return insert(connection, root, count - mailboxes[0], size - mailboxes[1]);
                });
            return null;
        });
    }

    private Mono<Void> add(QuotaRoot quotaRoot, long count, long size) {
        String root = key(quotaRoot);
        return blocking(() -> {
            // The database adds to the stored value, so no read-modify-write window exists between writers.
            UpdateOrInsert.run(db,
                connection -> {
                    try (PreparedStatement update = connection.prepareStatement(
                        "UPDATE mr_quota_adjustment SET message_count = message_count + ?, storage_bytes = storage_bytes + ?"
                            + " WHERE quota_root = ?")) {
                        update.setLong(1, count);
                        update.setLong(2, size);
                        update.setString(3, root);
                        return update.executeUpdate();
                    }
                },
                connection -> insert(connection, root, count, size));
            return null;
        });
    }

    private static int insert(Connection connection, String root, long count, long size) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO mr_quota_adjustment (quota_root, message_count, storage_bytes) VALUES (?, ?, ?)")) {
            insert.setString(1, root);
            insert.setLong(2, count);
            insert.setLong(3, size);
            return insert.executeUpdate();
        }
    }

    /** The same key {@link JdbcMaxQuotaManager} uses for per-root limits. */
    private static String key(QuotaRoot quotaRoot) {
        return quotaRoot.getValue();
    }

    /** JDBC blocks: keep it off the event-loop and parallel schedulers James subscribes on. */
    private static <T> Mono<T> blocking(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
    }
}
