package org.mailroom.sorter.importance;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import org.mailroom.sorter.message.MailContent;

/**
 * How messages are tied into conversations: by normalised subject (mail without In-Reply-To, such as Enron's or
 * many clients' forwards, still threads by subject) and by the Message-IDs in In-Reply-To/References.
 */
final class ThreadKeys {

    private static final String[] PREFIXES = {"re", "fw", "fwd", "aw", "sv", "wg", "tr", "antw"};

    private ThreadKeys() {
    }

    /** The subject without reply/forward prefixes ("RE: FW: Re[2]: x" → "x"), whitespace collapsed, lower-cased. */
    static String subject(String subject) {
        String s = subject.strip().toLowerCase(Locale.ROOT);
        boolean stripped = true;
        while (stripped && !s.isEmpty()) {
            stripped = false;
            for (String prefix : PREFIXES) {
                int end = prefixEnd(s, prefix);
                if (end > 0) {
                    s = s.substring(end).strip();
                    stripped = true;
                    break;
                }
            }
        }
        return collapse(s);
    }

    /**
     * The key of one correspondent's part in one thread ({@code subjectKey} as {@link #subject} gives it): the
     * user's exchange with that person on that subject. Hashed so the key stays short whatever the address and
     * subject; it cannot collide with a subject (which never starts with {@code "pair:"} followed by 16 hex digits
     * in practice) or with a Message-ID key (which starts with {@code "<"}).
     */
    static String conversation(String address, String subjectKey) {
        // HexFormat gives String.format("%016x")'s digits without a Formatter per delivered message.
        return "pair:" + HexFormat.of().toHexDigits(FeatureHashing.global(address + "\n" + subjectKey));
    }

    /** Whether the subject starts with a reply prefix ("Re:", "RE[2]:", "AW:"...). */
    static boolean isReply(String subject) {
        String s = subject.strip().toLowerCase(Locale.ROOT);
        return prefixEnd(s, "re") > 0 || prefixEnd(s, "aw") > 0 || prefixEnd(s, "sv") > 0 || prefixEnd(s, "antw") > 0;
    }

    /** Whether the subject starts with a forward prefix. */
    static boolean isForward(String subject) {
        String s = subject.strip().toLowerCase(Locale.ROOT);
        return prefixEnd(s, "fw") > 0 || prefixEnd(s, "fwd") > 0 || prefixEnd(s, "wg") > 0 || prefixEnd(s, "tr") > 0;
    }

    /** The Message-IDs this message refers to (In-Reply-To and References), without angle brackets. */
    static List<String> references(MailContent content) {
        List<String> ids = new ArrayList<>();
        for (String header : new String[] {"In-Reply-To", "References"}) {
            for (String value : content.headerValues(header)) {
                collectIds(value, ids);
            }
        }
        return ids;
    }

    /** The message's own Message-ID without angle brackets, or empty. */
    static String messageId(MailContent content) {
        List<String> ids = new ArrayList<>();
        content.header("Message-ID").ifPresent(v -> collectIds(v, ids));
        return ids.isEmpty() ? "" : ids.get(0);
    }

    /** The thread key under which a sent Message-ID is remembered (distinct from any subject key). */
    static String messageIdKey(String messageId) {
        return "<" + messageId.toLowerCase(Locale.ROOT) + ">";
    }

    private static void collectIds(String value, List<String> into) {
        int start = value.indexOf('<');
        while (start >= 0) {
            int end = value.indexOf('>', start + 1);
            if (end < 0) {
                break;
            }
            if (end > start + 1 && into.size() < 50) {
                into.add(value.substring(start + 1, end).strip());
            }
            start = value.indexOf('<', end + 1);
        }
    }

    /** The index after "prefix:" / "prefix[n]:" / "prefix :" at the start of s, or -1. */
    private static int prefixEnd(String s, String prefix) {
        if (!s.startsWith(prefix)) {
            return -1;
        }
        int i = prefix.length();
        if (i < s.length() && s.charAt(i) == '[') {
            int close = s.indexOf(']', i);
            if (close < 0) {
                return -1;
            }
            i = close + 1;
        }
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return i < s.length() && s.charAt(i) == ':' ? i + 1 : -1;
    }

    private static String collapse(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                space = !out.isEmpty();
            } else {
                if (space) {
                    out.append(' ');
                    space = false;
                }
                out.append(c);
            }
        }
        return out.toString();
    }
}
