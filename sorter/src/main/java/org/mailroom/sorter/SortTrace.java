package org.mailroom.sorter;

import java.util.Locale;

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
        StringBuilder value = new StringBuilder();
        value.append("category=").append(decision.category().name().toLowerCase(Locale.ROOT));
        decision.folder().ifPresent(folder -> value.append("; folder=").append(quoted(folder, 200)));
        value.append("; spam=").append(number(decision.total(Dimension.SPAM)));
        value.append("; importance=").append(number(decision.total(Dimension.IMPORTANCE)));
        decision.matchedRule().map(SortTrace::ruleOrigin).ifPresent(rule -> value.append("; rule=")
            .append(quoted(rule, 200)));
        value.append("; reasons=").append(quoted(decision.reason(), MAX_REASONS_CHARS));
        return fold(HEADER + ": " + value) + "\r\n";
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

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** A quoted-string of printable ASCII (anything else becomes '?'), cut to {@code max} characters. */
    private static String quoted(String text, int max) {
        StringBuilder out = new StringBuilder("\"");
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
        return out.append('"').toString();
    }

    /** Folds at spaces so no line exceeds {@link #LINE} characters where a space allows it. */
    static String fold(String line) {
        StringBuilder out = new StringBuilder();
        int lastSpace = -1;
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ' ' && current.length() > 0) {
                lastSpace = current.length();
            }
            current.append(c);
            if (current.length() > LINE && lastSpace > 0) {
                out.append(current, 0, lastSpace).append("\r\n");
                String rest = current.substring(lastSpace);
                current.setLength(0);
                current.append(rest);
                lastSpace = -1;
            }
        }
        out.append(current);
        return out.toString();
    }
}
