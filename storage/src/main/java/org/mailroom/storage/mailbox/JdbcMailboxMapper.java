package org.mailroom.storage.mailbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.james.core.Username;
import org.apache.james.mailbox.acl.ACLDiff;
import org.apache.james.mailbox.exception.MailboxExistsException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.exception.UnsupportedRightException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxACL;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.model.search.MailboxQuery;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.StorageException;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Mailboxes (path, UIDVALIDITY, ACL) in {@code mr_mailbox}; each call is its own committed transaction. */
public final class JdbcMailboxMapper implements MailboxMapper {
    private static final String COLUMNS = "id, namespace, owner, name, uid_validity, acl";
    private static final String BY_ID = "SELECT " + COLUMNS + " FROM mr_mailbox WHERE id = ?";
    private static final String BY_PATH = "SELECT " + COLUMNS + " FROM mr_mailbox WHERE namespace = ? AND owner = ? AND name = ?";

    private final Database db;
    private final MailboxRowCache cache;

    public JdbcMailboxMapper(Database db) {
        this(db, MailboxRowCache.TRUST);
    }

    /** A mapper trusting the rows it read for {@code trust} against changes by other servers (tests shorten it). */
    JdbcMailboxMapper(Database db, java.time.Duration trust) {
        this.db = db;
        this.cache = new MailboxRowCache(10_000, trust);
    }

    @Override
    public Mono<Mailbox> create(MailboxPath path, UidValidity uidValidity) {
        return blocking(() -> db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO mr_mailbox (namespace, owner, name, uid_validity, last_uid, highest_modseq) VALUES (?, ?, ?, ?, 0, 0)",
                Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, path.getNamespace());
                ps.setString(2, ownerColumn(path.getUser()));
                ps.setString(3, path.getName());
                ps.setLong(4, uidValidity.asLong());
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return new Mailbox(path, uidValidity, StoredMailboxId.of(keys.getLong(1)));
                }
            }
        })).onErrorMap(this::isDuplicate, e -> new MailboxExistsException(path.getName()));
    }

    @Override
    public Mono<MailboxId> rename(Mailbox mailbox) {
        return changing(() -> db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM mr_mailbox WHERE namespace = ? AND owner = ? AND name = ?")) {
                ps.setString(1, mailbox.getNamespace());
                ps.setString(2, ownerColumn(mailbox.getUser()));
                ps.setString(3, mailbox.getName());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        throw new Exists();
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                "UPDATE mr_mailbox SET namespace = ?, owner = ?, name = ? WHERE id = ?")) {
                ps.setString(1, mailbox.getNamespace());
                ps.setString(2, ownerColumn(mailbox.getUser()));
                ps.setString(3, mailbox.getName());
                ps.setLong(4, id(mailbox));
                if (ps.executeUpdate() == 0) {
                    throw new NotFound(mailbox.getMailboxId());
                }
                return mailbox.getMailboxId();
            }
        })).onErrorMap(e -> e instanceof Exists || isDuplicate(e), e -> new MailboxExistsException(mailbox.getName()))
            .onErrorMap(NotFound.class, e -> new MailboxNotFoundException(e.id));
    }

    @Override
    public Mono<Void> delete(Mailbox mailbox) {
        return changing(() -> db.transaction(c -> {
            MessageRows.deleteMailboxContents(c, id(mailbox));
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM mr_mailbox WHERE id = ?")) {
                ps.setLong(1, id(mailbox));
                ps.executeUpdate();
            }
            return null;
        })).then();
    }

    /*
     * Both look-ups read the cache when they are subscribed to, not when they are assembled: James assembles chains
     * such as RENAME's rename(...).then(mailboxExists(INBOX)), whose second step must see the first one's change. Read
     * at assembly, the cached INBOX row answered "exists" after INBOX had been renamed, so James did not create a new
     * INBOX and the session had none (RFC 3501 6.3.5: renaming INBOX leaves an empty INBOX).
     */
    @Override
    public Mono<Mailbox> findMailboxByPath(MailboxPath path) {
        return Mono.defer(() -> cachedRow(cache.byPath(path), BY_PATH, path.getNamespace(), ownerColumn(path.getUser()),
            path.getName()));
    }

    @Override
    public Mono<Mailbox> findMailboxById(MailboxId mailboxId) {
        long id = StoredMailboxId.of(mailboxId).value();
        return Mono.defer(() -> cachedRow(cache.byId(id), BY_ID, id))
            .switchIfEmpty(Mono.error(() -> new MailboxNotFoundException(mailboxId)));
    }

    /**
     * The cached row if there is one, answered on the caller's thread (no statement and no hop to the blocking
     * pool); else the row {@code sql} finds for {@code key}, read on the blocking pool and kept, or empty. One path for
     * both look-ups: the look-up by id misses only once a row is older than {@link MailboxRowCache#TRUST} (a session
     * that has been selected for a while), which a fresh server's first such command would otherwise be the first to
     * run, code and all (bench/README.md, IMAP, "h-cold", nineteenth session).
     */
    private Mono<Mailbox> cachedRow(Mailbox cached, String sql, Object... key) {
        if (cached != null) {
            return Mono.just(cached);
        }
        return blocking(() -> {
            long generation = cache.generation();
            Mailbox found = db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (int i = 0; i < key.length; i++) {
                        ps.setObject(i + 1, key[i]);
                    }
                    List<Mailbox> rows = readMailboxes(ps);
                    return rows.isEmpty() ? null : rows.get(0);
                }
            });
            cache.keep(found, generation);
            return found;
        });
    }

    /**
     * Has the database compile the two look-ups of a mailbox row now, while the store starts: Derby compiles a new SQL
     * text into a generated class within the statement that first runs it (5-40 ms in a fresh JVM), and the look-up by
     * id first runs in whichever IMAP command of a fresh server first finds its cached row expired, measured in a
     * first body FETCH (bench/README.md, IMAP, "h-cold", nineteenth session). Nothing is executed.
     */
    public void prepareReadStatements() {
        db.read(c -> {
            for (String sql : List.of(BY_ID, BY_PATH)) {
                c.prepareStatement(sql).close();
            }
            return null;
        });
    }

    @Override
    public Flux<Mailbox> findNonPersonalMailboxes(Username userName, MailboxACL.Right right) {
        MailboxACL.EntryKey key = MailboxACL.EntryKey.createUserEntryKey(userName);
        // ACLs are few and small on a personal server: filter the mailboxes that have one in Java.
        return blockingMany(() -> db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM mr_mailbox WHERE acl IS NOT NULL")) {
                return readMailboxes(ps);
            }
        })).filter(mailbox -> {
            MailboxACL.Rfc4314Rights rights = mailbox.getACL().ofPositiveNameType(MailboxACL.NameType.user).get(key);
            return rights != null && rights.contains(right);
        });
    }

    @Override
    public Flux<Mailbox> findMailboxWithPathLike(MailboxQuery.UserBound query) {
        return blockingMany(() -> db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM mr_mailbox WHERE namespace = ? AND owner = ?")) {
                ps.setString(1, query.getFixedNamespace());
                ps.setString(2, ownerColumn(query.getFixedUser()));
                List<Mailbox> found = readMailboxes(ps);
                // Sorted here rather than by ORDER BY: PostgreSQL collations would order differently from Derby.
                found.sort(Comparator.comparing(Mailbox::getName));
                return found;
            }
        })).filter(query::matches);
    }

    @Override
    public Mono<Boolean> hasChildren(Mailbox mailbox, char delimiter) {
        return blocking(() -> db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM mr_mailbox WHERE namespace = ? AND owner = ? AND name LIKE ? " + LikePattern.ESCAPE
                    + " FETCH FIRST 1 ROWS ONLY")) {
                ps.setString(1, mailbox.getNamespace());
                ps.setString(2, ownerColumn(mailbox.getUser()));
                ps.setString(3, LikePattern.escape(mailbox.getName() + delimiter) + "%");
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        }));
    }

    @Override
    public Mono<ACLDiff> updateACL(Mailbox mailbox, MailboxACL.ACLCommand command) {
        return changing(() -> db.transaction(c -> {
            MailboxACL before = lockAndReadAcl(c, id(mailbox));
            MailboxACL after = applyCommand(before, command);
            writeAcl(c, id(mailbox), after);
            mailbox.setACL(after);
            return ACLDiff.computeDiff(before, after);
        }));
    }

    @Override
    public Mono<ACLDiff> setACL(Mailbox mailbox, MailboxACL acl) {
        return changing(() -> db.transaction(c -> {
            MailboxACL before = lockAndReadAcl(c, id(mailbox));
            writeAcl(c, id(mailbox), acl);
            mailbox.setACL(acl);
            return ACLDiff.computeDiff(before, acl);
        }));
    }

    @Override
    public Flux<Mailbox> list() {
        return blockingMany(() -> db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM mr_mailbox ORDER BY id")) {
                return readMailboxes(ps);
            }
        }));
    }

    private static MailboxACL applyCommand(MailboxACL acl, MailboxACL.ACLCommand command) {
        try {
            return acl.apply(command);
        } catch (UnsupportedRightException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static MailboxACL lockAndReadAcl(Connection c, long id) throws SQLException {
        // Touching the row first takes its write lock, so concurrent ACL updates apply one after the other.
        try (PreparedStatement lock = c.prepareStatement("UPDATE mr_mailbox SET acl = acl WHERE id = ?")) {
            lock.setLong(1, id);
            if (lock.executeUpdate() == 0) {
                throw new NotFound(StoredMailboxId.of(id));
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT acl FROM mr_mailbox WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return AclCodec.decode(rs.getString(1));
            }
        }
    }

    private static void writeAcl(Connection c, long id, MailboxACL acl) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE mr_mailbox SET acl = ? WHERE id = ?")) {
            ps.setString(1, AclCodec.encode(acl));
            ps.setLong(2, id);
            ps.executeUpdate();
        }
    }

    private static List<Mailbox> readMailboxes(PreparedStatement ps) throws SQLException {
        List<Mailbox> result = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String owner = rs.getString("owner");
                MailboxPath path = new MailboxPath(rs.getString("namespace"),
                    owner.isEmpty() ? null : Username.of(owner), rs.getString("name"));
                Mailbox mailbox = new Mailbox(path, UidValidity.of(rs.getLong("uid_validity")),
                    StoredMailboxId.of(rs.getLong("id")));
                mailbox.setACL(AclCodec.decode(rs.getString("acl")));
                result.add(mailbox);
            }
        }
        return result;
    }

    static String ownerColumn(Username user) {
        return user == null ? "" : user.asString();
    }

    private static long id(Mailbox mailbox) {
        return StoredMailboxId.of(mailbox.getMailboxId()).value();
    }

    private boolean isDuplicate(Throwable t) {
        return t instanceof StorageException && t.getCause() instanceof SQLException sql && db.dialect().isDuplicateKey(sql);
    }

    /** A change of a mailbox row: the cache is emptied before it (no overlapping read is kept) and after it. */
    private <T> Mono<T> changing(java.util.concurrent.Callable<T> work) {
        return blocking(() -> {
            cache.changed();
            try {
                return work.call();
            } finally {
                cache.changed();
            }
        });
    }

    private static <T> Mono<T> blocking(java.util.concurrent.Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
    }

    private static <T> Flux<T> blockingMany(java.util.concurrent.Callable<List<T>> work) {
        return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic()).flatMapIterable(list -> list);
    }

    /** Signals, out of a transaction lambda, that the target path is taken. */
    private static final class Exists extends RuntimeException {
        Exists() {
            super("mailbox exists", null, false, false);
        }
    }

    /** Signals a vanished mailbox out of a transaction lambda. */
    private static final class NotFound extends RuntimeException {
        private final MailboxId id;

        NotFound(MailboxId id) {
            super("mailbox " + id + " not found", null, false, false);
            this.id = id;
        }
    }
}
