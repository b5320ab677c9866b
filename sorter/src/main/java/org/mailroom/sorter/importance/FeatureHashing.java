package org.mailroom.sorter.importance;

import java.nio.charset.StandardCharsets;

/**
 * Turns feature names into 64-bit weight keys: one key in the shared model, one in the user's own copy (the
 * "frustratingly easy" domain adaptation Gmail's Priority Inbox uses: global plus per-user weights). 64 bits make
 * collisions negligible, so the keys are stored as they are.
 */
final class FeatureHashing {

    private FeatureHashing() {
    }

    static long global(String feature) {
        return globalOf(fnv(feature));
    }

    static long perUser(long userHash, String feature) {
        return perUserOf(userHash, fnv(feature));
    }

    /** {@link #global} of a name whose {@link #fnv} is known: both keys of a feature come from one pass over it. */
    static long globalOf(long nameFnv) {
        return mix(nameFnv);
    }

    /** {@link #perUser} of a name whose {@link #fnv} is known. */
    static long perUserOf(long userHash, long nameFnv) {
        return mix(nameFnv ^ userHash * 0x9E3779B97F4A7C15L);
    }

    static long userHash(String user) {
        return mix(fnv("user:" + user) + 0x632BE59BD9B4E019L);
    }

    /**
     * FNV-1a over the name's UTF-8 bytes. An ASCII name's chars are its bytes, so they are hashed as they are: an
     * encoded copy per name was two byte arrays per feature of every decision (two keys each); a name with any
     * other character is encoded, as before.
     */
    static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return fnvOfBytes(s);
            }
            h ^= c;
            h *= 0x100000001b3L;
        }
        return h;
    }

    private static long fnvOfBytes(String s) {
        long h = 0xcbf29ce484222325L;
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64's finaliser: spreads FNV's weak low bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
