package org.mailroom.sorter.importance;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The importance features' one pass over a message's text: where the sender's own text ends (the first quoted or
 * forwarded block, {@link ImportanceFeatures#QUOTE_MARKERS}, found case-insensitively in place) and the words of that
 * own text, looked at together character by character. It used to be two scans of the same characters (the own text
 * cut off as a String, then its words read from that String): on {@code smtp-source}'s 4,000-character bodies those
 * two scans were the largest part of the importance features' CPU.
 *
 * <p>A word is a letter followed by letters, digits and apostrophes; words of 3 to 20 characters, lower-cased
 * ({@code Locale.ROOT}), not stop words and not seen before in the message, are taken until there are enough. A word
 * that a quote marker interrupts ends where the marker starts, as it did when the words were read from the own text.
 */
final class ContentScan {

    /**
     * Which (ASCII) characters start one of the {@link ImportanceFeatures#QUOTE_MARKERS}: only there can a marker
     * start. A table, not a search of a string of them, because every character up to the first marker is checked.
     */
    private static final boolean[] MARKER_STARTS = markerStarts();

    private static final WordTable STOP_WORD_TABLE = new WordTable(ImportanceFeatures.STOP_WORDS);

    private ContentScan() {
    }

    private static boolean[] markerStarts() {
        boolean[] starts = new boolean[128];
        for (String marker : ImportanceFeatures.QUOTE_MARKERS) {
            starts[marker.charAt(0)] = true;
        }
        return starts;
    }

    /**
     * Reads {@code text[0, limit)}: returns where the sender's own text ends (the first quote marker, or
     * {@code limit}; with {@code cutAtQuote} false, always {@code limit}), and hands the words of the own text to
     * {@code words} for {@code into} while {@code into} holds fewer than {@code max}.
     */
    static int scan(String text, int limit, boolean cutAtQuote, Words words, List<String> into, int max) {
        boolean wanted = into.size() < max;
        int start = -1;   // where the word being read starts; -1 between words
        for (int at = 0; at < limit; at++) {
            char c = text.charAt(at);
            if (cutAtQuote && quoteStartsAt(text, at, limit, c)) {
                if (start >= 0) {
                    words.offer(text, start, at, into);
                }
                return at;
            }
            if (!wanted) {
                if (!cutAtQuote) {
                    return limit;
                }
                continue;
            }
            if (start >= 0) {
                if (Character.isLetterOrDigit(c) || c == '\'') {
                    continue;
                }
                // c ends the word, and being no letter it starts none.
                words.offer(text, start, at, into);
                start = -1;
                wanted = into.size() < max;
            } else if (Character.isLetter(c)) {
                start = at;
            }
        }
        if (start >= 0) {
            words.offer(text, start, limit, into);
        }
        return limit;
    }

    /** Whether one of the quote markers starts at {@code at} in {@code text[0, limit)}, compared lower-cased. */
    private static boolean quoteStartsAt(String text, int at, int limit, char c) {
        char lower = lowerCase(c);
        if (lower >= MARKER_STARTS.length || !MARKER_STARTS[lower]) {
            return false;
        }
        for (String marker : ImportanceFeatures.QUOTE_MARKERS) {
            if (marker.charAt(0) == lower && startsLowerCased(text, at, limit, marker)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the lower-case ASCII {@code marker} starts at {@code at} in {@code text[0, limit)} lower-cased. */
    private static boolean startsLowerCased(String text, int at, int limit, String marker) {
        if (at + marker.length() > limit) {
            return false;
        }
        for (int j = 1; j < marker.length(); j++) {
            if (lowerCase(text.charAt(at + j)) != marker.charAt(j)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A character as {@code toLowerCase(Locale.ROOT)} lower-cases it, for comparing with ASCII markers: 'İ' becomes
     * "i" plus a combining dot there, which can never be part of an ASCII marker, so it stays as it is here.
     */
    private static char lowerCase(char c) {
        if (c < 0x80) {
            return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
        }
        return c == '\u0130' ? c : Character.toLowerCase(c);
    }

    /**
     * The words a message has given so far (subject, then body): each is taken once. Words already seen and stop
     * words are recognised without a String per word for ASCII words (nearly all of them).
     */
    static final class Words {
        private final Set<String> seen = new HashSet<>();
        private final WordTable known = new WordTable(16);

        /** Takes {@code text[start, end)} into {@code into}, lower-cased, if it is a new word of 3 to 20 characters. */
        void offer(String text, int start, int end, List<String> into) {
            int length = end - start;
            if (length < 3 || length > 20) {
                return;
            }
            if (WordTable.isAscii(text, start, end)) {
                int hash = WordTable.asciiLowerHash(text, start, end);
                if (STOP_WORD_TABLE.containsAsciiLower(text, start, end, hash)
                    || known.containsAsciiLower(text, start, end, hash)) {
                    return;
                }
            }
            String word = text.substring(start, end).toLowerCase(Locale.ROOT);
            if (!ImportanceFeatures.STOP_WORDS.contains(word) && seen.add(word)) {
                into.add(word);
                known.add(word);
            }
        }
    }
}
