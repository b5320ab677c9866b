package org.mailroom.sorter.spam;

import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * How believable the message's own account of where it came from is, beyond the hosts {@link FeatureExtractor}
 * reads: the marks spam leaves even when a mailing list relays it with the list's headers (the corpus's misses).
 *
 * <ul>
 *   <li>{@code midbyrelay:origin|relay}: the Message-ID holds the queue id of one of the Received lines, so a server
 *       wrote it because the sender's program did not; {@code relay} when that server is not the oldest hop (a
 *       list server giving an ID-less post one).</li>
 *   <li>{@code rcvdate:unreadable}: a Received line whose time is not a date (forged chains in bulk mail write
 *       {@code Jul, 29 2002 11:53:58 AM +0700}).</li>
 *   <li>{@code rcvorder:backwards}: an older hop claims a time more than two hours after a newer hop's (a forged
 *       hop, or a sender's clock the relays do not share).</li>
 *   <li>{@code origindateskew:...}: the Date header against the oldest readable hop, where the message entered the
 *       first server (the newest hop's skew includes a list's delay; this one does not).</li>
 * </ul>
 */
final class ProvenanceFeatures {
    /** Received lines read, newest first: more are unusual and cost time. */
    private static final int MAX_HOPS = 12;

    private ProvenanceFeatures() {
    }

    interface Emitter {
        void emit(String prefix, String value);
    }

    static void extract(List<String> received, String messageId, OptionalLong sent, Emitter out) {
        int hops = Math.min(received.size(), MAX_HOPS);
        boolean unreadable = false;
        boolean backwards = false;
        long newerTime = Long.MIN_VALUE;
        long oldest = Long.MIN_VALUE;
        String idLocal = messageId == null ? null : localPart(messageId);
        String byRelay = null;
        for (int i = 0; i < hops; i++) {
            String line = received.get(i);
            int semicolon = line.lastIndexOf(';');
            if (semicolon >= 0) {
                OptionalLong at = MailDate.epochSeconds(line.substring(semicolon + 1));
                if (at.isEmpty()) {
                    unreadable = true;
                } else {
                    long t = at.getAsLong();
                    if (newerTime != Long.MIN_VALUE && t - newerTime > 7_200) {
                        backwards = true;
                    }
                    newerTime = t;
                    oldest = t;
                }
            }
            if (idLocal != null && byRelay == null) {
                String queueId = queueId(line, semicolon < 0 ? line.length() : semicolon);
                if (queueId != null && idLocal.contains(queueId)) {
                    byRelay = i == hops - 1 ? "origin" : "relay";
                }
            }
        }
        if (byRelay != null) {
            out.emit("midbyrelay", byRelay);
        }
        if (unreadable) {
            out.emit("rcvdate", "unreadable");
        }
        if (backwards) {
            out.emit("rcvorder", "backwards");
        }
        if (sent.isPresent() && oldest != Long.MIN_VALUE && hops > 1) {
            long ahead = sent.getAsLong() - oldest;
            out.emit("origindateskew", ahead > 86_400 ? "future>1d" : ahead > 3_600 ? "future>1h" : ahead > 300
                ? "future>5m" : ahead > -900 ? "near" : ahead > -7_200 ? "past<2h" : ahead > -86_400 ? "past<1d"
                : "past>1d");
        }
    }

    private static String localPart(String messageId) {
        String v = messageId.strip();
        int at = v.lastIndexOf('@');
        String local = at < 0 ? v : v.substring(0, at);
        return local.toLowerCase(Locale.ROOT);
    }

    /** The queue id of a Received line ({@code ... id 625112940D7 ...}), lower-cased; null when it has none. */
    private static String queueId(String line, int end) {
        int from = 0;
        while (true) {
            int at = indexOfWord(line, " id ", from, end);
            if (at < 0) {
                return null;
            }
            int start = at + 4;
            int stop = start;
            while (stop < end && Character.isLetterOrDigit(line.charAt(stop))) {
                stop++;
            }
            if (stop - start >= 6) {
                return line.substring(start, stop).toLowerCase(Locale.ROOT);
            }
            from = start;
        }
    }

    private static int indexOfWord(String line, String word, int from, int end) {
        // Received lines are folded: the word may follow a tab or a newline as well as a space.
        for (int i = from; i + word.length() <= end; i++) {
            char c = line.charAt(i);
            if ((c == ' ' || c == '\t' || c == '\n') && (line.charAt(i + 1) == 'i' || line.charAt(i + 1) == 'I')
                && (line.charAt(i + 2) == 'd' || line.charAt(i + 2) == 'D')
                && (line.charAt(i + 3) == ' ' || line.charAt(i + 3) == '\t')) {
                return i;
            }
        }
        return -1;
    }
}
