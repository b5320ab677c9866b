package org.mailroom.storage.mailbox;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Mailbox rows (path, UIDVALIDITY, ACL) by id and by path, as this process last read them. James looks the
 * selected mailbox up by id at every IMAP command (FETCH, STORE, SEARCH, NOOP...) and by path at every APPEND and
 * SELECT: one Derby statement and a thread hop each, for a row that changes only on rename, delete and ACL change.
 * Every such change made through {@link JdbcMailboxMapper} empties the cache ({@link #changed}: the one place), and a
 * read that overlapped a change is not kept (a generation count decides), so this process never serves a row older
 * than what it wrote. A change made by another server sharing the database is seen within {@link #TRUST}. Callers
 * get copies: James's {@code Mailbox} is mutable.
 */
final class MailboxRowCache {
    /** How long a row read here is trusted against changes made by other servers on the same database. */
    static final Duration TRUST = Duration.ofSeconds(5);

    private final Cache<Long, Mailbox> byId;
    private final Cache<MailboxPath, Mailbox> byPath;
    private final AtomicLong generation = new AtomicLong();

    MailboxRowCache(long maximumSize, Duration trust) {
        this.byId = Caffeine.newBuilder().maximumSize(maximumSize).expireAfterWrite(trust).build();
        this.byPath = Caffeine.newBuilder().maximumSize(maximumSize).expireAfterWrite(trust).build();
    }

    /** A copy of the cached mailbox with this id, or null. */
    Mailbox byId(long id) {
        return copy(byId.getIfPresent(id));
    }

    /** A copy of the cached mailbox at this path, or null. */
    Mailbox byPath(MailboxPath path) {
        return copy(byPath.getIfPresent(path));
    }

    /** What a read must pass to {@link #keep} with the row it then loads. */
    long generation() {
        return generation.get();
    }

    /** Remembers a row read from the database, unless a change began since {@code generationBeforeRead}. */
    synchronized void keep(Mailbox loaded, long generationBeforeRead) {
        // Synchronized with changed(): the generation check and the put are one step, so a change cannot slip in
        // between them and leave the row read before it in the cache. Only misses come here.
        if (loaded != null && generation.get() == generationBeforeRead) {
            Mailbox snapshot = new Mailbox(loaded);
            byId.put(StoredMailboxId.of(loaded.getMailboxId()).value(), snapshot);
            byPath.put(snapshot.generateAssociatedPath(), snapshot);
        }
    }

    private static Mailbox copy(Mailbox cached) {
        return cached == null ? null : new Mailbox(cached);
    }

    /**
     * Called after every committed change of a mailbox row (rename, delete, ACL), and before it, so that no read
     * overlapping the change is kept. Changes are rare, so everything is dropped rather than tracked per row.
     */
    synchronized void changed() {
        generation.incrementAndGet();
        byId.invalidateAll();
        byPath.invalidateAll();
    }
}
