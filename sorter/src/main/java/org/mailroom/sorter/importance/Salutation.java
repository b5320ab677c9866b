package org.mailroom.sorter.importance;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.mailroom.sorter.message.MailAddress;

/**
 * Whom the sender's own words address: the user by name ("Kay - do we have a CA with..."), a group ("Folks,",
 * "All,"), someone else ("Eric, we need..." with the user in Cc), or nobody. Mail that opens with the user's name
 * asks the user for something far more often than mail the user merely receives a copy of, and mail that opens with
 * another person's name is usually for that person, whatever the recipient lists say.
 *
 * <p>The user's names are read from what the server knows without a label: the words of the user's own addresses'
 * local parts ({@code kay.mann@...} → kay, mann) and the display names the sender wrote for the user's addresses in
 * To/Cc ({@code "Kay Mann" <kay@...>}).
 */
final class Salutation {

    /** Where the greeting stands: the first words of the text the sender wrote. */
    static final int GREETING_WORDS = 3;
    /** How far into the sender's own text a mention of the user's name counts. */
    static final int MENTION_CHARS = 1500;

    private static final Set<String> OPENERS = Set.of("hi", "hello", "dear", "hey", "good", "morning", "afternoon",
        "evening", "greetings", "mr", "mrs", "ms", "dr");
    private static final Set<String> GROUPS = Set.of("all", "everyone", "everybody", "folks", "team", "guys",
        "gentlemen", "ladies", "colleagues", "friends", "group", "y'all");
    /** Local-part words that are roles, not names ("info@", "sales@"). */
    private static final Set<String> NOT_NAMES = Set.of("info", "admin", "sales", "support", "office", "mail",
        "contact", "team", "the", "and", "enron");

    enum Kind {
        YOU("greeting:you", "it greets you by name"),
        GROUP("greeting:group", "it greets a group"),
        OTHER("greeting:other", "it greets someone else by name"),
        NONE("greeting:none", "no greeting");

        final String feature;
        final String reason;

        Kind(String feature, String reason) {
            this.feature = feature;
            this.reason = reason;
        }
    }

    private Salutation() {
    }

    /** The user's names as the sender may write them, lower-cased. */
    static Set<String> names(Set<String> own, List<MailAddress> to, List<MailAddress> cc) {
        Set<String> names = new HashSet<>();
        for (String address : own) {
            int at = address.indexOf('@');
            addWords(at > 0 ? address.substring(0, at) : address, names);
        }
        for (List<MailAddress> list : List.of(to, cc)) {
            for (MailAddress a : list) {
                if (own.contains(a.address()) && a.displayName() != null) {
                    addWords(a.displayName(), names);
                }
            }
        }
        return names;
    }

    private static void addWords(String text, Set<String> into) {
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && !Character.isLetter(text.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && Character.isLetter(text.charAt(i))) {
                i++;
            }
            if (i - start >= 3) {
                String w = text.substring(start, i).toLowerCase(Locale.ROOT);
                if (!NOT_NAMES.contains(w)) {
                    into.add(w);
                }
            }
        }
    }

    /** Whom {@code ownText} (the sender's words, quotes cut off) greets, given the user's {@code names}. */
    static Kind greeting(String ownText, Set<String> names) {
        int i = 0;
        int n = Math.min(ownText.length(), 200);
        int words = 0;
        boolean capitalised = false;
        String first = null;
        while (i < n && words < GREETING_WORDS) {
            while (i < n && !Character.isLetter(ownText.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && (Character.isLetter(ownText.charAt(i)) || ownText.charAt(i) == '\'')) {
                i++;
            }
            if (i == start) {
                break;
            }
            String w = ownText.substring(start, i).toLowerCase(Locale.ROOT);
            if (OPENERS.contains(w)) {
                continue;
            }
            words++;
            if (names.contains(w)) {
                return Kind.YOU;
            }
            if (GROUPS.contains(w) && endsGreeting(ownText, i, n)) {
                return Kind.GROUP;
            }
            if (first == null) {
                first = w;
                capitalised = Character.isUpperCase(ownText.charAt(start)) && endsGreeting(ownText, i, n);
            }
        }
        return capitalised ? Kind.OTHER : Kind.NONE;
    }

    /** Whether the word ending at {@code at} is followed by what closes a greeting: , : - ! or a line end. */
    private static boolean endsGreeting(String text, int at, int n) {
        int i = at;
        while (i < n && text.charAt(i) == ' ') {
            i++;
        }
        if (i >= n) {
            return true;
        }
        char c = text.charAt(i);
        return c == ',' || c == ':' || c == '-' || c == '!' || c == '\n' || c == '\r' || c == ';';
    }

    /** Whether one of the user's {@code names} appears as a word in the first {@link #MENTION_CHARS} of the text. */
    static boolean mentions(String ownText, Set<String> names) {
        // Only words as long as one of the names are looked up (no String for most words).
        long lengths = 0;
        for (String name : names) {
            lengths |= 1L << Math.min(name.length(), 63);
        }
        int n = Math.min(ownText.length(), MENTION_CHARS);
        int i = 0;
        while (i < n) {
            while (i < n && !Character.isLetter(ownText.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && Character.isLetter(ownText.charAt(i))) {
                i++;
            }
            int len = i - start;
            if (len >= 3 && len < 63 && (lengths & (1L << len)) != 0
                && names.contains(ownText.substring(start, i).toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }
}
