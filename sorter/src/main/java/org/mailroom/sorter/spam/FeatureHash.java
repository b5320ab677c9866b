package org.mailroom.sorter.spam;

/**
 * 64-bit hashes of feature names (FNV-1a over the characters, then MurmurHash3's finaliser so that nearby names
 * spread over all bits). Computed over character ranges so the tokenizer never builds a String per token.
 */
final class FeatureHash {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private FeatureHash() {
    }

    /** The running state for a name that starts with {@code prefix}. */
    static long start(String prefix) {
        long h = FNV_OFFSET;
        for (int i = 0; i < prefix.length(); i++) {
            h = step(h, prefix.charAt(i));
        }
        return step(h, ':');
    }

    static long step(long h, char c) {
        return (h ^ c) * FNV_PRIME;
    }

    static long finish(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb93fe53ec9d0L;
        h ^= h >>> 33;
        return h;
    }

    /** The hash of {@code prefix:text}. */
    static long of(String prefix, CharSequence text) {
        long h = start(prefix);
        for (int i = 0; i < text.length(); i++) {
            h = step(h, text.charAt(i));
        }
        return finish(h);
    }

    /** The hash of an ordered sparse bigram: two word hashes at a given distance (OSB). */
    static long pair(long first, long second, int distance) {
        return finish(first * 0x9e3779b97f4a7c15L + Long.rotateLeft(second, 17) + distance * 0x632be59bd9b4e019L);
    }
}
