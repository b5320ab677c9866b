package org.mailroom.sorter;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Writes a {@link Decision} for people: the {@code X-Mailroom-Sort:} trace header stored with every delivered
 * message, and the full breakdown {@code mailroom admin explain} prints.
 */
public final class SortTrace {

    public static final String HEADER = "X-Mailroom-Sort";
    /** RFC 5322 recommends lines of at most 78 characters. */
    private static final int LINE = 78;
    /** The header is a summary; the full list is what explain is for. */
    private static final int MAX_REASONS_CHARS = 400;

    private SortTrace() {
    }

    /**
     * The header field, folded, ending with CRLF, ASCII only: {@code X-Mailroom-Sort: category=spam; spam=3.20;
     * importance=-0.40; rule="conf/rules:3"; reasons="..."}.
     */
    public static String header(Decision decision) {
        return header(decision, null);
    }

    /**
     * {@link #header(Decision)} plus the session facts the decision used, before the reasons: {@code
     * session="client=192.0.2.1 helo=mx.example.org tls=yes auth=no dnsbl=zen.example spf=fail"}, so that explaining
     * the stored copy later ({@link #sessionFacts}) weighs the same DNSBL listing and SPF result.
     */
    public static String header(Decision decision, SessionFacts facts) {
        // One builder for the field, folded in place: written for every delivered copy, where the value, the
        // quoted parts, the unfolded line and the folded lines were each a copy of their own.
        StringBuilder field = new StringBuilder(256 + MAX_REASONS_CHARS);
        field.append(HEADER).append(": ");
        field.append("category=").append(decision.category().name().toLowerCase(Locale.ROOT));
        decision.folder().ifPresent(folder -> appendQuoted(field.append("; folder="), folder, 200));
        field.append("; spam=").append(number(decision.total(Dimension.SPAM)));
        field.append("; importance=").append(number(decision.total(Dimension.IMPORTANCE)));
        decision.matchedRule().map(SortTrace::ruleOrigin).ifPresent(rule -> appendQuoted(field.append("; rule="),
            rule, 200));
        if (facts != null) {
            field.append("; ").append(SESSION).append('"').append(session(facts)).append('"');
        }
        appendQuoted(field.append(REASONS), decision.reason(), MAX_REASONS_CHARS);
        return foldInPlace(field).append("\r\n").toString();
    }

    /**
     * The session facts recorded in a trace header's value (as {@code MailContent.header} gives it, unfolded), or
     * {@link SessionFacts#none()} when it has none (delivered before they were recorded, or not by SMTP). Only the
     * part before the reasons is read: the reasons quote message text, which must not pass for session facts.
     */
    public static SessionFacts sessionFacts(String headerValue) {
        int reasons = headerValue.indexOf(REASONS);
        String fields = reasons < 0 ? headerValue : headerValue.substring(0, reasons);
        int start = fields.indexOf("; " + SESSION + '"');
        if (start < 0) {
            return SessionFacts.none();
        }
        start += SESSION.length() + 3;
        int end = fields.indexOf('"', start);
        if (end < 0) {
            return SessionFacts.none();
        }
        Optional<String> client = Optional.empty();
        Optional<String> helo = Optional.empty();
        Optional<String> spf = Optional.empty();
        boolean tls = false;
        boolean auth = false;
        List<String> zones = List.of();
        for (String pair : fields.substring(start, end).trim().split(" +")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = pair.substring(0, eq);
            String v = pair.substring(eq + 1);
            switch (key) {
                case "client" -> client = Optional.of(v);
                case "helo" -> helo = Optional.of(v);
                case "tls" -> tls = v.equals("yes");
                case "auth" -> auth = v.equals("yes");
                case "dnsbl" -> zones = List.of(v.split(","));
                case "spf" -> spf = Optional.of(v);
                default -> { }
            }
        }
        return new SessionFacts(client, helo, tls, auth, zones, spf);
    }

    /**
     * The stored copy as it was sorted: {@code message} without its first {@code X-Mailroom-Sort} field (the one
     * delivery added; any later one came with the message). Unchanged when the header section has none.
     */
    public static byte[] withoutHeader(byte[] message) {
        byte[] name = (HEADER + ":").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int line = 0;
        while (line < message.length) {
            int end = lineEnd(message, line);
            if (end == line + 1 || (end == line + 2 && message[line] == '\r')) {
                return message;
            }
            if (startsWithIgnoreCase(message, line, name)) {
                int next = end;
                while (next < message.length && (message[next] == ' ' || message[next] == '\t')) {
                    next = lineEnd(message, next);
                }
                byte[] out = new byte[message.length - (next - line)];
                System.arraycopy(message, 0, out, 0, line);
                System.arraycopy(message, next, out, line, message.length - next);
                return out;
            }
            line = end;
        }
        return message;
    }

    /** The index after the line starting at {@code from} (after its LF, or the end). */
    private static int lineEnd(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i + 1;
            }
        }
        return bytes.length;
    }

    private static boolean startsWithIgnoreCase(byte[] bytes, int from, byte[] prefix) {
        if (bytes.length - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (Character.toLowerCase(bytes[from + i]) != Character.toLowerCase(prefix[i])) {
                return false;
            }
        }
        return true;
    }

    private static final String SESSION = "session=";
    private static final String REASONS = "; reasons=";

    private static String session(SessionFacts facts) {
        StringBuilder out = new StringBuilder();
        facts.clientAddress().ifPresent(a -> out.append("client=").append(token(a)).append(' '));
        facts.helo().ifPresent(h -> out.append("helo=").append(token(h)).append(' '));
        out.append("tls=").append(facts.tls() ? "yes" : "no").append(" auth=").append(facts.authenticated() ? "yes" : "no");
        if (!facts.dnsblZones().isEmpty()) {
            out.append(" dnsbl=").append(String.join(",", facts.dnsblZones().stream().map(SortTrace::token).toList()));
        }
        facts.spf().ifPresent(spf -> out.append(" spf=").append(token(spf)));
        return out.toString();
    }

    /** A value safe inside the quoted session field: host names, addresses, zones and SPF words pass unchanged. */
    private static String token(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 100));
        for (int i = 0; i < text.length() && i < 100; i++) {
            char c = text.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']';
            out.append(plain ? c : '?');
        }
        return out.isEmpty() ? "?" : out.toString();
    }

    /** Every score, one a line, with the totals and the decision: what {@code admin explain} prints. */
    public static String breakdown(Decision decision) {
        StringBuilder out = new StringBuilder();
        out.append("category:   ").append(decision.category().name().toLowerCase(Locale.ROOT)).append('\n');
        decision.folder().ifPresent(folder -> out.append("folder:     ").append(folder).append('\n'));
        out.append("keywords:   ").append(String.join(" ", new java.util.TreeSet<>(decision.keywords()))).append('\n');
        out.append("rule:       ").append(decision.matchedRule().orElse("(none matched)")).append('\n');
        out.append("spam:       ").append(number(decision.total(Dimension.SPAM)))
            .append("  (spam when > 0)\n");
        out.append("importance: ").append(number(decision.total(Dimension.IMPORTANCE)))
            .append("  (priority when > 0)\n");
        out.append("reason:     ").append(decision.reason()).append('\n');
        out.append("scores:\n");
        if (decision.scores().isEmpty()) {
            out.append("  (no signal gave a score)\n");
        }
        for (Score score : decision.scores()) {
            out.append(String.format(Locale.ROOT, "  %-10s %+8.3f  %-24s %s%n",
                score.dimension().name().toLowerCase(Locale.ROOT), score.value(), score.signal(), score.reason()));
        }
        return out.toString();
    }

    private static String ruleOrigin(String matchedRule) {
        // "conf/rules:3: if ... then spam" -> "conf/rules:3": the rule text is in explain, not the header.
        int colon = matchedRule.indexOf(": ");
        return colon < 0 ? matchedRule : matchedRule.substring(0, colon);
    }

    /** {@code value} as {@code %.2f} writes it, through {@link Sorter#signed} (a Formatter per header cost 2 % CPU). */
    static String number(double value) {
        String signed = Sorter.signed(value);
        return signed.startsWith("+") ? signed.substring(1) : signed;
    }

    /** Appends a quoted-string of printable ASCII (anything else becomes '?'), cut to {@code max} characters. */
    private static void appendQuoted(StringBuilder out, String text, int max) {
        out.append('"');
        int count = 0;
        for (int i = 0; i < text.length() && count < max; i++, count++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c == '\r' || c == '\n' || c == '\t') {
                out.append(' ');
            } else if (c < 0x20 || c > 0x7e) {
                out.append('?');
            } else {
                out.append(c);
            }
        }
        if (count < text.length() && count == max) {
            out.append("...");
        }
        out.append('"');
    }

    /** Folds at spaces so no line exceeds {@link #LINE} characters where a space allows it. */
    static String fold(String line) {
        return foldInPlace(new StringBuilder(line)).toString();
    }

    /**
     * {@link #fold} in {@code text} itself: a CRLF goes in before the last space of a line once the line is longer
     * than {@link #LINE} (a space at a line's start does not count), which is what the first version did with a copy
     * per line ({@code SortTraceTest} checks the two against each other).
     */
    static StringBuilder foldInPlace(StringBuilder text) {
        int lineStart = 0;
        int lastSpace = -1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ' ' && i > lineStart) {
                lastSpace = i;
            }
            if (i + 1 - lineStart > LINE && lastSpace > lineStart) {
                text.insert(lastSpace, "\r\n");
                i += 2;
                lineStart = lastSpace + 2;
                lastSpace = -1;
            }
        }
        return text;
    }
}
