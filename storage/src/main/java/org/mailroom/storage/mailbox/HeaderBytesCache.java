package org.mailroom.storage.mailbox;

import org.apache.james.mailbox.model.Mailbox;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The raw header bytes of the messages that header searches have read, per mailbox ({@link MailboxHeaderBytes}), so
 * that a search reads through the database only the messages it has not seen before (those appended or delivered
 * since), where it read every message's header on every search.
 *
 * <p>Why a cached header is never wrong: a message's content never changes under its mailbox, UIDVALIDITY and UID
 * (an IMAP server never gives a UID twice within one UIDVALIDITY, and Mailroom never rewrites a stored message), and
 * the key holds all three (a mailbox row's id is never reused either). What changes is which UIDs the mailbox holds,
 * and that the cache does not decide: each search takes the mailbox's UIDs from the metadata snapshot, which follows
 * the mailbox row's marks and so every session's and every process's appends, deliveries and expunges, and answers
 * for those UIDs only (see {@link MailboxHeaderBytes#fill}).
 *
 * <p>Memory is bounded by {@link #maxBytes} over all mailboxes (header bytes plus a per-message overhead), least
 * recently used mailboxes first out; a mailbox's entry is weighed again after each search that changed it.
 */
final class HeaderBytesCache {
    /** The default bound: 32 MB, about 50,000 headers of 600 bytes. */
    static final long DEFAULT_MAX_BYTES = 32L << 20;

    private record Key(long mailboxId, long uidValidity) {
    }

    private final long maxBytes;
    private final Cache<Key, MailboxHeaderBytes> mailboxes;

    HeaderBytesCache(long maxBytes) {
        this.maxBytes = maxBytes;
        this.mailboxes = Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher((Key key, MailboxHeaderBytes headers) -> (int) Math.min(Integer.MAX_VALUE, headers.weight()))
            .build();
    }

    /** The mailbox's cached headers, empty at first; kept by the caller for one search even if evicted meanwhile. */
    MailboxHeaderBytes of(Mailbox mailbox) {
        return mailboxes.get(key(mailbox), key -> new MailboxHeaderBytes());
    }

    /** Has the cache weigh the mailbox's entry again after a search added or removed headers. */
    void changed(Mailbox mailbox, MailboxHeaderBytes headers) {
        Key key = key(mailbox);
        // only the entry still cached is weighed again: an evicted one is not brought back by this
        mailboxes.asMap().computeIfPresent(key, (k, current) -> current);
        if (headers.weight() > maxBytes) {
            mailboxes.invalidate(key);
        }
    }

    /** Mailboxes cached now (tests). */
    long mailboxCount() {
        mailboxes.cleanUp();
        return mailboxes.estimatedSize();
    }

    private static Key key(Mailbox mailbox) {
        return new Key(((StoredMailboxId) mailbox.getMailboxId()).value(), mailbox.getUidValidity().asLong());
    }
}
