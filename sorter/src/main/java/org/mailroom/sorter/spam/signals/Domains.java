package org.mailroom.sorter.spam.signals;

import java.util.Locale;
import java.util.Optional;

/** Domain helpers shared by the checks: the organisational part of a host name and hosts of URLs. */
public final class Domains {

    private Domains() {
    }

    /**
     * The last two labels of a host ({@code mail.example.com} → {@code example.com}), three when the second-level
     * label is a short public suffix such as {@code co.uk}. An approximation of the public suffix list that is
     * good enough to compare two domains of one sender.
     */
    public static String organisational(String host) {
        String h = host.toLowerCase(Locale.ROOT).strip();
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        int last = h.lastIndexOf('.');
        if (last <= 0) {
            return h;
        }
        int second = h.lastIndexOf('.', last - 1);
        if (second < 0) {
            return h;
        }
        String secondLabel = h.substring(second + 1, last);
        boolean shortSuffix = last == h.length() - 3 && (secondLabel.length() <= 3 || secondLabel.equals("gouv"));
        if (shortSuffix) {
            int third = h.lastIndexOf('.', second - 1);
            return h.substring(third + 1);
        }
        return h.substring(second + 1);
    }

    /** The domain of an address such as {@code <bob@Example.org>}, lower-cased, if it has one. */
    public static Optional<String> ofAddress(String address) {
        String a = address.strip();
        int lt = a.lastIndexOf('<');
        int gt = a.lastIndexOf('>');
        if (lt >= 0 && gt > lt) {
            a = a.substring(lt + 1, gt);
        }
        int at = a.lastIndexOf('@');
        if (at < 0 || at == a.length() - 1) {
            return Optional.empty();
        }
        String domain = a.substring(at + 1).strip().toLowerCase(Locale.ROOT);
        return domain.isEmpty() || domain.contains(" ") ? Optional.empty() : Optional.of(domain);
    }

    /** The host of an absolute http(s) URL or of a bare {@code www.} name, lower-cased, if any. */
    public static Optional<String> hostOfUrl(String url) {
        // Most link texts are words, not URLs: look at the prefix before copying or lower-casing anything.
        int from = 0;
        int to = url.length();
        while (from < to && Character.isWhitespace(url.charAt(from))) {
            from++;
        }
        while (to > from && Character.isWhitespace(url.charAt(to - 1))) {
            to--;
        }
        int start;
        if (startsWithLowerCase(url, from, to, "http://")) {
            start = from + 7;
        } else if (startsWithLowerCase(url, from, to, "https://")) {
            start = from + 8;
        } else if (startsWithLowerCase(url, from, to, "www.")) {
            start = from;
        } else {
            return Optional.empty();
        }
        int end = start;
        while (end < to && "/?#:\\ ".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        String host = url.substring(start, end).toLowerCase(Locale.ROOT);
        int at = host.lastIndexOf('@');
        if (at >= 0) {
            host = host.substring(at + 1);
        }
        return host.isEmpty() ? Optional.empty() : Optional.of(host);
    }

    /** Whether {@code text[from, to)} starts with {@code prefix} (lower case) once lower-cased. */
    private static boolean startsWithLowerCase(String text, int from, int to, String prefix) {
        if (to - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.toLowerCase(text.charAt(from + i)) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
