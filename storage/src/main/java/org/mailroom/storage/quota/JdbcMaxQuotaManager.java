package org.mailroom.storage.quota;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.core.Domain;
import org.apache.james.core.quota.QuotaCountLimit;
import org.apache.james.core.quota.QuotaLimitValue;
import org.apache.james.core.quota.QuotaSizeLimit;
import org.apache.james.mailbox.model.Quota;
import org.apache.james.mailbox.model.QuotaRoot;
import org.apache.james.mailbox.quota.MaxQuotaManager;
import org.mailroom.storage.schema.Database;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The message-count and storage limits set globally, per domain and per quota root, kept in
 * {@code mr_max_quota}; the most specific limit wins (quota root, then domain, then global).
 *
 * <p>Each limit column holds NULL when the limit is not set at that scope (so the next scope applies),
 * {@value #UNLIMITED} when it is explicitly unlimited (which overrides a broader limit), and the limit
 * itself (zero or more) otherwise. A row whose two limits are both unset is deleted.
 *
 * <p>Every append checks the limits of its quota root, so the limits that apply to a root are cached: every
 * change made through this class empties the cache once committed, and an entry is trusted for
 * {@link #LIMITS_TTL} at most, the delay after which a change made by another server sharing the database applies.
 */
public final class JdbcMaxQuotaManager implements MaxQuotaManager {
    private static final long UNLIMITED = -1;
    private static final String GLOBAL_KEY = "";

    private enum Scope {
        GLOBAL, DOMAIN, ROOT
    }

    private enum Limit {
        MESSAGES("max_messages"), STORAGE("max_storage");

        private final String column;

        Limit(String column) {
            this.column = column;
        }
    }

    /** How long cached limits are trusted: bounds how late a limit changed by another server takes effect. */
    static final Duration LIMITS_TTL = Duration.ofSeconds(30);

    private final Database db;
    private final Cache<String, QuotaDetails> limits = Caffeine.newBuilder()
        .maximumSize(10_000).expireAfterWrite(LIMITS_TTL).build();
    /** Raised after every committed change, so a read that overlapped a change never caches what it read. */
    private final AtomicLong changes = new AtomicLong();

    public JdbcMaxQuotaManager(Database db) {
        this.db = db;
    }

    @Override
    public void setMaxStorage(QuotaRoot quotaRoot, QuotaSizeLimit limit) {
        write(Scope.ROOT, rootKey(quotaRoot), Limit.STORAGE, encode(limit));
    }

    @Override
    public Mono<Void> setMaxStorageReactive(QuotaRoot quotaRoot, QuotaSizeLimit limit) {
        return blockingVoid(() -> setMaxStorage(quotaRoot, limit));
    }

    @Override
    public void setMaxMessage(QuotaRoot quotaRoot, QuotaCountLimit limit) {
        write(Scope.ROOT, rootKey(quotaRoot), Limit.MESSAGES, encode(limit));
    }

    @Override
    public Mono<Void> setMaxMessageReactive(QuotaRoot quotaRoot, QuotaCountLimit limit) {
        return blockingVoid(() -> setMaxMessage(quotaRoot, limit));
    }

    @Override
    public void removeMaxMessage(QuotaRoot quotaRoot) {
        remove(Scope.ROOT, rootKey(quotaRoot), Limit.MESSAGES);
    }

    @Override
    public Mono<Void> removeMaxMessageReactive(QuotaRoot quotaRoot) {
        return blockingVoid(() -> removeMaxMessage(quotaRoot));
    }

    @Override
    public void removeMaxStorage(QuotaRoot quotaRoot) {
        remove(Scope.ROOT, rootKey(quotaRoot), Limit.STORAGE);
    }

    @Override
    public Mono<Void> removeMaxStorageReactive(QuotaRoot quotaRoot) {
        return blockingVoid(() -> removeMaxStorage(quotaRoot));
    }

    @Override
    public void setGlobalMaxStorage(QuotaSizeLimit limit) {
        write(Scope.GLOBAL, GLOBAL_KEY, Limit.STORAGE, encode(limit));
    }

    @Override
    public Mono<Void> setGlobalMaxStorageReactive(QuotaSizeLimit limit) {
        return blockingVoid(() -> setGlobalMaxStorage(limit));
    }

    @Override
    public void removeGlobalMaxStorage() {
        remove(Scope.GLOBAL, GLOBAL_KEY, Limit.STORAGE);
    }

    @Override
    public Mono<Void> removeGlobalMaxStorageReactive() {
        return blockingVoid(this::removeGlobalMaxStorage);
    }

    @Override
    public void setGlobalMaxMessage(QuotaCountLimit limit) {
        write(Scope.GLOBAL, GLOBAL_KEY, Limit.MESSAGES, encode(limit));
    }

    @Override
    public Mono<Void> setGlobalMaxMessageReactive(QuotaCountLimit limit) {
        return blockingVoid(() -> setGlobalMaxMessage(limit));
    }

    @Override
    public void removeGlobalMaxMessage() {
        remove(Scope.GLOBAL, GLOBAL_KEY, Limit.MESSAGES);
    }

    @Override
    public Mono<Void> removeGlobalMaxMessageReactive() {
        return blockingVoid(this::removeGlobalMaxMessage);
    }

    @Override
    public Optional<QuotaSizeLimit> getGlobalMaxStorage() {
        return read(Scope.GLOBAL, GLOBAL_KEY, Limit.STORAGE).map(JdbcMaxQuotaManager::sizeLimit);
    }

    @Override
    public Mono<QuotaSizeLimit> getGlobalMaxStorageReactive() {
        return blocking(() -> getGlobalMaxStorage()).flatMap(Mono::justOrEmpty);
    }

    @Override
    public Optional<QuotaCountLimit> getGlobalMaxMessage() {
        return read(Scope.GLOBAL, GLOBAL_KEY, Limit.MESSAGES).map(JdbcMaxQuotaManager::countLimit);
    }

    @Override
    public Mono<QuotaCountLimit> getGlobalMaxMessageReactive() {
        return blocking(() -> getGlobalMaxMessage()).flatMap(Mono::justOrEmpty);
    }

    @Override
    public Optional<QuotaCountLimit> getDomainMaxMessage(Domain domain) {
        return read(Scope.DOMAIN, domainKey(domain), Limit.MESSAGES).map(JdbcMaxQuotaManager::countLimit);
    }

    @Override
    public Mono<QuotaCountLimit> getDomainMaxMessageReactive(Domain domain) {
        return blocking(() -> getDomainMaxMessage(domain)).flatMap(Mono::justOrEmpty);
    }

    @Override
    public void setDomainMaxMessage(Domain domain, QuotaCountLimit limit) {
        write(Scope.DOMAIN, domainKey(domain), Limit.MESSAGES, encode(limit));
    }

    @Override
    public Mono<Void> setDomainMaxMessageReactive(Domain domain, QuotaCountLimit limit) {
        return blockingVoid(() -> setDomainMaxMessage(domain, limit));
    }

    @Override
    public void removeDomainMaxMessage(Domain domain) {
        remove(Scope.DOMAIN, domainKey(domain), Limit.MESSAGES);
    }

    @Override
    public Mono<Void> removeDomainMaxMessageReactive(Domain domain) {
        return blockingVoid(() -> removeDomainMaxMessage(domain));
    }

    @Override
    public void setDomainMaxStorage(Domain domain, QuotaSizeLimit limit) {
        write(Scope.DOMAIN, domainKey(domain), Limit.STORAGE, encode(limit));
    }

    @Override
    public Mono<Void> setDomainMaxStorageReactive(Domain domain, QuotaSizeLimit limit) {
        return blockingVoid(() -> setDomainMaxStorage(domain, limit));
    }

    @Override
    public Optional<QuotaSizeLimit> getDomainMaxStorage(Domain domain) {
        return read(Scope.DOMAIN, domainKey(domain), Limit.STORAGE).map(JdbcMaxQuotaManager::sizeLimit);
    }

    @Override
    public Mono<QuotaSizeLimit> getDomainMaxStorageReactive(Domain domain) {
        return blocking(() -> getDomainMaxStorage(domain)).flatMap(Mono::justOrEmpty);
    }

    @Override
    public void removeDomainMaxStorage(Domain domain) {
        remove(Scope.DOMAIN, domainKey(domain), Limit.STORAGE);
    }

    @Override
    public Mono<Void> removeDomainMaxStorageReactive(Domain domain) {
        return blockingVoid(() -> removeDomainMaxStorage(domain));
    }

    @Override
    public Map<Quota.Scope, QuotaCountLimit> listMaxMessagesDetails(QuotaRoot quotaRoot) {
        return quotaDetails(quotaRoot).getMaxMessageDetails();
    }

    @Override
    public Map<Quota.Scope, QuotaSizeLimit> listMaxStorageDetails(QuotaRoot quotaRoot) {
        return quotaDetails(quotaRoot).getMaxStorageDetails();
    }

    @Override
    public Mono<Map<Quota.Scope, QuotaCountLimit>> listMaxMessagesDetailsReactive(QuotaRoot quotaRoot) {
        return blocking(() -> listMaxMessagesDetails(quotaRoot));
    }

    @Override
    public Mono<Map<Quota.Scope, QuotaSizeLimit>> listMaxStorageDetailsReactive(QuotaRoot quotaRoot) {
        return blocking(() -> listMaxStorageDetails(quotaRoot));
    }

    @Override
    public QuotaDetails quotaDetails(QuotaRoot quotaRoot) {
        String key = cacheKey(quotaRoot);
        QuotaDetails cached = limits.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        long changesBefore = changes.get();
        QuotaDetails details = readDetails(quotaRoot);
        if (changes.get() == changesBefore) {
            limits.put(key, details);
        }
        return details;
    }

    private QuotaDetails readDetails(QuotaRoot quotaRoot) {
        Optional<String> domain = quotaRoot.getDomain().map(JdbcMaxQuotaManager::domainKey);
        return db.read(connection -> {
            String sql = "SELECT scope, max_messages, max_storage FROM mr_max_quota"
                + " WHERE (scope = ? AND scope_key = ?) OR (scope = ? AND scope_key = ?)"
                + (domain.isPresent() ? " OR (scope = ? AND scope_key = ?)" : "");
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                select.setString(1, Scope.GLOBAL.name());
                select.setString(2, GLOBAL_KEY);
                select.setString(3, Scope.ROOT.name());
                select.setString(4, rootKey(quotaRoot));
                if (domain.isPresent()) {
                    select.setString(5, Scope.DOMAIN.name());
                    select.setString(6, domain.get());
                }
                Map<Quota.Scope, QuotaCountLimit> counts = new EnumMap<>(Quota.Scope.class);
                Map<Quota.Scope, QuotaSizeLimit> sizes = new EnumMap<>(Quota.Scope.class);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        Quota.Scope scope = jamesScope(Scope.valueOf(rs.getString(1)));
                        nullableLong(rs, 2).ifPresent(value -> counts.put(scope, countLimit(value)));
                        nullableLong(rs, 3).ifPresent(value -> sizes.put(scope, sizeLimit(value)));
                    }
                }
                return new QuotaDetails(Collections.unmodifiableMap(counts), Collections.unmodifiableMap(sizes));
            }
        });
    }

    @Override
    public Mono<QuotaDetails> quotaDetailsReactive(QuotaRoot quotaRoot) {
        // A cached answer needs no JDBC, so no hop to a blocking-capable thread either.
        QuotaDetails cached = limits.getIfPresent(cacheKey(quotaRoot));
        return cached != null ? Mono.just(cached) : blocking(() -> quotaDetails(quotaRoot));
    }

    /** A root's limits depend on the root and its domain (a domain limit applies to all the domain's roots). */
    private static String cacheKey(QuotaRoot quotaRoot) {
        return rootKey(quotaRoot) + '\u0000' + quotaRoot.getDomain().map(JdbcMaxQuotaManager::domainKey).orElse("");
    }

    /** Called after each committed change: any root's limits may follow from the changed row. */
    private void forgetCachedLimits() {
        changes.incrementAndGet();
        limits.invalidateAll();
    }

    private Optional<Long> read(Scope scope, String key, Limit limit) {
        return db.read(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                "SELECT " + limit.column + " FROM mr_max_quota WHERE scope = ? AND scope_key = ?")) {
                select.setString(1, scope.name());
                select.setString(2, key);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? nullableLong(rs, 1) : Optional.empty();
                }
            }
        });
    }

    private void write(Scope scope, String key, Limit limit, long value) {
        try {
            writeRow(scope, key, limit, value);
        } finally {
            forgetCachedLimits();
        }
    }

    private void writeRow(Scope scope, String key, Limit limit, long value) {
        UpdateOrInsert.run(db,
            connection -> {
                try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE mr_max_quota SET " + limit.column + " = ? WHERE scope = ? AND scope_key = ?")) {
                    update.setLong(1, value);
                    update.setString(2, scope.name());
                    update.setString(3, key);
                    return update.executeUpdate();
                }
            },
            connection -> {
                try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO mr_max_quota (scope, scope_key, " + limit.column + ") VALUES (?, ?, ?)")) {
                    insert.setString(1, scope.name());
                    insert.setString(2, key);
                    insert.setLong(3, value);
                    return insert.executeUpdate();
                }
            });
    }

    /** Unsets one limit (NULL, so the broader scope applies again); a row left with no limit at all goes. */
    private void remove(Scope scope, String key, Limit limit) {
        try {
            removeRow(scope, key, limit);
        } finally {
            forgetCachedLimits();
        }
    }

    private void removeRow(Scope scope, String key, Limit limit) {
        db.transactionVoid(connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                "UPDATE mr_max_quota SET " + limit.column + " = NULL WHERE scope = ? AND scope_key = ?")) {
                update.setString(1, scope.name());
                update.setString(2, key);
                update.executeUpdate();
            }
            try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM mr_max_quota WHERE scope = ? AND scope_key = ? AND max_messages IS NULL AND max_storage IS NULL")) {
                delete.setString(1, scope.name());
                delete.setString(2, key);
                delete.executeUpdate();
            }
        });
    }

    private static long encode(QuotaLimitValue<?> limit) {
        return limit.isLimited() ? limit.asLong() : UNLIMITED;
    }

    private static QuotaCountLimit countLimit(long stored) {
        return stored == UNLIMITED ? QuotaCountLimit.unlimited() : QuotaCountLimit.count(stored);
    }

    private static QuotaSizeLimit sizeLimit(long stored) {
        return stored == UNLIMITED ? QuotaSizeLimit.unlimited() : QuotaSizeLimit.size(stored);
    }

    private static Optional<Long> nullableLong(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(value);
    }

    private static Quota.Scope jamesScope(Scope scope) {
        return switch (scope) {
            case GLOBAL -> Quota.Scope.Global;
            case DOMAIN -> Quota.Scope.Domain;
            case ROOT -> Quota.Scope.User;
        };
    }

    /** Domains compare case-insensitively; {@link Domain#asString()} is already lower-cased. */
    private static String domainKey(Domain domain) {
        return domain.asString();
    }

    /** The same key {@link JdbcCurrentQuotaManager} uses for usage. */
    private static String rootKey(QuotaRoot quotaRoot) {
        return quotaRoot.getValue();
    }

    /** JDBC blocks: keep it off the event-loop and parallel schedulers James subscribes on. */
    private static <T> Mono<T> blocking(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
    }

    private static Mono<Void> blockingVoid(Runnable work) {
        return Mono.<Void>fromRunnable(work).subscribeOn(Schedulers.boundedElastic());
    }
}
