package org.mailroom.sorter.importance;

import java.util.Collection;

/**
 * A small set of lower-case words that answers "is the lower-cased form of this ASCII text range in the set?"
 * without building the range's String: the content features look at every word of the first 4,000 characters until
 * they have enough distinct ones, and a String per word looked at was a quarter of what scoring a message allocated.
 * Open addressing on {@link String#hashCode()}; grows as needed.
 */
final class WordTable {
    private String[] words;
    private int[] hashes;
    private int size;

    WordTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1;
        words = new String[capacity];
        hashes = new int[capacity];
    }

    WordTable(Collection<String> initial) {
        this(initial.size());
        initial.forEach(this::add);
    }

    void add(String word) {
        if ((size + 1) * 2 > words.length) {
            String[] old = words;
            words = new String[old.length * 2];
            hashes = new int[old.length * 2];
            size = 0;
            for (String w : old) {
                if (w != null) {
                    add(w);
                }
            }
        }
        int hash = word.hashCode();
        int mask = words.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            if (words[i] == null) {
                words[i] = word;
                hashes[i] = hash;
                size++;
                return;
            }
            if (hashes[i] == hash && words[i].equals(word)) {
                return;
            }
        }
    }

    /**
     * Whether the set holds {@code text[start, end)} lower-cased, for a range of ASCII characters only (whose
     * lower-case form is their ASCII lower case, the same as {@code toLowerCase(Locale.ROOT)} gives);
     * {@code hash} is {@link #asciiLowerHash} of the range.
     */
    boolean containsAsciiLower(String text, int start, int end, int hash) {
        int mask = words.length - 1;
        int length = end - start;
        for (int i = hash & mask; words[i] != null; i = (i + 1) & mask) {
            if (hashes[i] == hash && words[i].length() == length && sameAsciiLower(words[i], text, start)) {
                return true;
            }
        }
        return false;
    }

    /** The {@link String#hashCode()} of the ASCII range {@code text[start, end)} lower-cased. */
    static int asciiLowerHash(String text, int start, int end) {
        int hash = 0;
        for (int i = start; i < end; i++) {
            hash = 31 * hash + asciiLower(text.charAt(i));
        }
        return hash;
    }

    /** Whether every character of {@code text[start, end)} is ASCII. */
    static boolean isAscii(String text, int start, int end) {
        for (int i = start; i < end; i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameAsciiLower(String word, String text, int start) {
        for (int j = 0; j < word.length(); j++) {
            if (word.charAt(j) != asciiLower(text.charAt(start + j))) {
                return false;
            }
        }
        return true;
    }

    private static char asciiLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }
}
