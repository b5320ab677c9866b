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
 * The message count and bytes each quota root currently uses, kept in {@code mr_current_quota} and changed by
 * relative set-based updates so that concurrent deliveries and expunges never lose an increment.
 */
public final class JdbcCurrentQuotaManager implements CurrentQuotaManager {
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
        return blocking(() -> db.read(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                "SELECT message_count, storage_bytes FROM mr_current_quota WHERE quota_root = ?")) {
                select.setString(1, key(quotaRoot));
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        return CurrentQuotas.emptyQuotas();
                    }
                    return new CurrentQuotas(QuotaCountUsage.count(rs.getLong(1)), QuotaSizeUsage.size(rs.getLong(2)));
                }
            }
        }));
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
            UpdateOrInsert.run(db,
                connection -> {
                    try (PreparedStatement update = connection.prepareStatement(
                        "UPDATE mr_current_quota SET message_count = ?, storage_bytes = ? WHERE quota_root = ?")) {
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

    private Mono<Void> add(QuotaRoot quotaRoot, long count, long size) {
        String root = key(quotaRoot);
        return blocking(() -> {
            // The database adds to the stored value, so no read-modify-write window exists between writers.
            UpdateOrInsert.run(db,
                connection -> {
                    try (PreparedStatement update = connection.prepareStatement(
                        "UPDATE mr_current_quota SET message_count = message_count + ?, storage_bytes = storage_bytes + ?"
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
            "INSERT INTO mr_current_quota (quota_root, message_count, storage_bytes) VALUES (?, ?, ?)")) {
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
