package org.mailroom.storage.user;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

/**
 * Remembers, in memory only, logins that passed the full PBKDF2 check, as Dovecot's {@code auth_cache_*} does:
 * a password hash costs ~0.3-1.6 s of CPU by design (310,000 iterations), and mail clients open a new connection,
 * and log in again, many times an hour (IMAP folders in parallel, SMTP AUTH per sent message).
 *
 * <p>An entry holds an HMAC-SHA256 of user and password under a random key made when the process starts (never the
 * password, nor anything that could be attacked offline without that key) and the stored hash it was checked
 * against. It is valid only while that stored hash is still the user's (the caller reads it at every login, so a
 * password changed or a user removed by any process, or any server sharing the database, ends it at once), for at
 * most {@link #DEFAULT_TTL}, and the cache holds at most {@link #DEFAULT_MAX_ENTRIES} users. Failed attempts are
 * never remembered: a wrong password always pays the full key derivation, so guessing gets no cheaper.
 *
 * <p>Each MAC is computed on a clone of one {@link Mac} initialised with that key when the cache is made, not on a
 * {@code Mac.getInstance} and {@code init} per login: the provider look-up instantiates its implementation by
 * reflection, and the JDK's reflection inflation then defines a new accessor class on the 16th call, which a fresh
 * server paid inside a client's LOGIN (bench/README.md, IMAP chapter, h-deopt of the twentieth session). The
 * prototype is never updated, so concurrent logins clone it safely; each clone holds its own digest state.
 */
final class VerifiedLoginCache {
    static final Duration DEFAULT_TTL = Duration.ofMinutes(10);
    static final long DEFAULT_MAX_ENTRIES = 10_000;
    private static final String ALGORITHM = "HmacSHA256";

    private record Entry(byte[] mac, String storedHash) {
    }

    private final SecretKeySpec key;
    private final Mac prototype;
    private final Cache<String, Entry> entries;

    VerifiedLoginCache() {
        this(DEFAULT_TTL, DEFAULT_MAX_ENTRIES, Ticker.systemTicker());
    }

    VerifiedLoginCache(Duration ttl, long maxEntries, Ticker ticker) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.key = new SecretKeySpec(secret, ALGORITHM);
        Arrays.fill(secret, (byte) 0); // the key spec holds its own copy
        this.prototype = newMac(key);
        this.entries = Caffeine.newBuilder()
            .expireAfterWrite(ttl)
            .maximumSize(maxEntries)
            .ticker(ticker)
            .build();
    }

    /** Whether this user logged in with this password, against this very stored hash, within the time to live. */
    boolean verified(String user, CharSequence password, String storedHash) {
        Entry entry = entries.getIfPresent(user);
        return entry != null && entry.storedHash().equals(storedHash)
            && MessageDigest.isEqual(entry.mac(), mac(user, password));
    }

    /** Called only after a successful full check of {@code password} against {@code storedHash}. */
    void remember(String user, CharSequence password, String storedHash) {
        entries.put(user, new Entry(mac(user, password), storedHash));
    }

    /** Drops what is remembered for the user (password changed, user removed). */
    void forget(String user) {
        entries.invalidate(user);
    }

    private byte[] mac(String user, CharSequence password) {
        byte[] encoded = null;
        try {
            Mac hmac = keyedMac();
            hmac.update(user.getBytes(StandardCharsets.UTF_8));
            hmac.update((byte) 0);
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
            encoded = new byte[bytes.remaining()];
            bytes.get(encoded);
            Arrays.fill(bytes.array(), (byte) 0);
            return hmac.doFinal(encoded);
        } finally {
            if (encoded != null) {
                Arrays.fill(encoded, (byte) 0);
            }
        }
    }

    /** A MAC ready for one computation under {@link #key}: a clone of the prototype, or a new one if it cannot be cloned. */
    private Mac keyedMac() {
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            // a provider whose implementation is not Cloneable (the JDK's own is): the look-up per call, as before
            return newMac(key);
        }
    }

    private static Mac newMac(SecretKeySpec key) {
        try {
            Mac hmac = Mac.getInstance(ALGORITHM);
            hmac.init(key);
            return hmac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is missing from this JVM", e);
        }
    }
}
