package org.mailroom.storage.mailbox;

/** Escapes text for a SQL {@code LIKE ... ESCAPE '\'} prefix match. */
final class LikePattern {
    /** The clause that goes after every {@code LIKE ?} whose pattern came from {@link #escape}. */
    static final String ESCAPE = "ESCAPE '\\'";

    private LikePattern() {
    }

    static String escape(String literal) {
        StringBuilder out = new StringBuilder(literal.length() + 8);
        for (char ch : literal.toCharArray()) {
            if (ch == '\\' || ch == '%' || ch == '_') {
                out.append('\\');
            }
            out.append(ch);
        }
        return out.toString();
    }
}
