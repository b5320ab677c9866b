package org.mailroom.sorter.spam;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.mailroom.sorter.message.Link;
import org.mailroom.sorter.spam.signals.Domains;

/**
 * Features for spam that arrives wrapped in a mailing list the user reads (the corpus's misses: spam posted to a
 * list and relayed to its members, which carries the list's headers and footer like the list's ham): who handed the
 * message to the list (the oldest Received hops, beyond the newest ones {@link FeatureExtractor} reads, which are
 * the list's own servers), the link domains written in plain text (a plain-text advert still names its site), and
 * how many different sites the links point to.
 */
final class RelayAndLinkFeatures {
    /** Oldest hops looked at: where the message entered the first server that relayed it. */
    static final int ORIGIN_HOPS = 2;
    /** Plain-text URLs looked at. */
    private static final int MAX_TEXT_URLS = 20;

    private RelayAndLinkFeatures() {
    }

    /**
     * Emits the hosts and networks of the oldest {@link #ORIGIN_HOPS} Received lines not already read as the newest
     * {@code newestRead}; they weigh like the newest hops (same feature names), so a spam network learned from direct
     * spam is recognised behind a list too.
     */
    static void originHops(List<String> received, int newestRead, FeatureExtractor.Sink sink,
                           java.util.function.BiConsumer<String, FeatureExtractor.Sink> hop) {
        for (int i = Math.max(newestRead, received.size() - ORIGIN_HOPS); i < received.size(); i++) {
            hop.accept(received.get(i), sink);
        }
    }

    /** The organisational domains of URLs written in {@code text} ({@code http(s)://host} or {@code www.host}). */
    static Set<String> textLinkDomains(String text, int maxChars) {
        Set<String> out = new HashSet<>();
        int n = Math.min(text.length(), maxChars);
        int found = 0;
        int i = 0;
        while (i < n && found < MAX_TEXT_URLS) {
            int start = indexOfUrl(text, i, n);
            if (start < 0) {
                break;
            }
            int host = start;
            if (text.regionMatches(true, host, "http://", 0, 7)) {
                host += 7;
            } else if (text.regionMatches(true, host, "https://", 0, 8)) {
                host += 8;
            }
            int end = host;
            while (end < n && isHostChar(text.charAt(end))) {
                end++;
            }
            if (end > host && text.indexOf('.', host) > host && text.indexOf('.', host) < end) {
                out.add(Domains.organisational(text.substring(host, end).toLowerCase(Locale.ROOT)));
                found++;
            }
            i = Math.max(end, start + 1);
        }
        return out;
    }

    /** How many different sites {@code links} and the text's URLs name, as a bucket. */
    static String distinctSites(List<Link> links, Set<String> textDomains) {
        Set<String> sites = new HashSet<>(textDomains);
        int counted = 0;
        for (Link link : links) {
            if (counted++ >= 50) {
                break;
            }
            Domains.hostOfUrl(link.href()).ifPresent(h -> sites.add(Domains.organisational(h)));
        }
        int d = sites.size();
        return d == 0 ? "0" : d == 1 ? "1" : d <= 3 ? "2-3" : "4+";
    }

    /**
     * Where the first URL ({@code http://}, {@code https://}, case-insensitive, or {@code www.} after a non-word
     * character) starts in [from, to - 4), -1 if none. Every match has its ':' 4 or 5 characters, or its '.' 3
     * characters, after its start, so only those characters (found by {@code String.indexOf}, which is vectorised)
     * are looked at instead of every character; a match found may still be preceded by one whose ':' or '.' comes
     * up to two characters later, so those are checked before answering.
     */
    private static int indexOfUrl(String text, int from, int to) {
        int colon = text.indexOf(':', from);
        int dot = text.indexOf('.', from);
        int best = -1;
        while (colon >= 0 || dot >= 0) {
            int at = colon < 0 ? dot : dot < 0 ? colon : Math.min(colon, dot);
            if (best >= 0 && at > best + 5 || at - 5 >= to - 4) {
                break;
            }
            if (at == colon) {
                best = earlier(best, urlAt(text, at - 4, from, to));
                best = earlier(best, urlAt(text, at - 5, from, to));
                colon = text.indexOf(':', at + 1);
            } else {
                best = earlier(best, urlAt(text, at - 3, from, to));
                dot = text.indexOf('.', at + 1);
            }
        }
        return best;
    }

    private static int earlier(int best, int candidate) {
        return candidate < 0 ? best : best < 0 ? candidate : Math.min(best, candidate);
    }

    /** {@code i} when a URL starts there (the test the character-by-character scan made), else -1. */
    private static int urlAt(String text, int i, int from, int to) {
        if (i < from || i >= to - 4) {
            return -1;
        }
        char c = text.charAt(i);
        if ((c == 'h' || c == 'H') && (text.regionMatches(true, i, "http://", 0, 7)
            || text.regionMatches(true, i, "https://", 0, 8))) {
            return i;
        }
        if ((c == 'w' || c == 'W') && text.regionMatches(true, i, "www.", 0, 4)
            && (i == 0 || !Character.isLetterOrDigit(text.charAt(i - 1)) && text.charAt(i - 1) != '/')) {
            return i;
        }
        return -1;
    }

    private static boolean isHostChar(char c) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '-');
    }
}
