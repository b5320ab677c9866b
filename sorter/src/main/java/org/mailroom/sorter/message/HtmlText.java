package org.mailroom.sorter.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jsoup.parser.Parser;

/**
 * The visible text of an HTML part and its links ({@code <a href>} with their text), in one pass over the markup
 * without building a document tree: what the sorter's signals read, at a fraction of a full HTML parse (on the
 * benchmark's 50 KB newsletter, a jsoup parse plus {@code text()} and {@code select("a[href]")} was most of the
 * message's parse time).
 *
 * <p>Reads like jsoup's {@code Document.text()}: script and style contents, comments, declarations and processing
 * instructions are not text; entities are decoded (by jsoup's own table); whitespace runs become one space; block
 * elements and {@code <br>} separate words, inline ones do not. Malformed markup never throws: an unterminated tag
 * or comment ends the text.
 */
final class HtmlText {

    /** The text and the links of one HTML part. */
    record Result(String text, List<Link> links) {
    }

    /** Elements whose start or end separates words (jsoup's block elements, plus table cells and {@code br}). */
    private static final Set<String> SEPARATING = Set.of("address", "article", "aside", "blockquote", "body", "br",
        "caption", "center", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
        "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr",
        "html", "iframe", "img", "legend", "li", "main", "menu", "nav", "noframes", "ol", "option", "p", "pre",
        "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul");

    private final String html;
    private final StringBuilder out;
    private final List<Link> links = new ArrayList<>();
    private boolean pendingSpace;
    private String anchorHref;
    private int anchorStart;
    /** The next '&' at or after the text being read (the part's length when none is left). */
    private int nextAmpersand = -1;

    private HtmlText(String html) {
        this.html = html;
        this.out = new StringBuilder(Math.min(html.length(), 1 << 16));
    }

    static Result extract(String html) {
        HtmlText scan = new HtmlText(html);
        scan.run();
        return new Result(scan.out.toString(), List.copyOf(scan.links));
    }

    private void run() {
        int i = 0;
        int n = html.length();
        while (i < n) {
            int lt = html.indexOf('<', i);
            int textEnd = lt < 0 ? n : lt;
            if (textEnd > i) {
                text(i, textEnd);
            }
            if (lt < 0) {
                break;
            }
            i = markup(lt);
        }
        closeAnchor();
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == ' ') {
            end--;
        }
        out.setLength(end);
    }

    /** Handles the markup at {@code lt} (a '<') and returns where the text continues. */
    private int markup(int lt) {
        int n = html.length();
        if (html.startsWith("<!--", lt)) {
            int end = html.indexOf("-->", lt + 4);
            return end < 0 ? n : end + 3;
        }
        char next = lt + 1 < n ? html.charAt(lt + 1) : ' ';
        if (next == '!' || next == '?') {
            int end = html.indexOf('>', lt);
            return end < 0 ? n : end + 1;
        }
        boolean closing = next == '/';
        int nameStart = closing ? lt + 2 : lt + 1;
        int nameEnd = nameStart;
        while (nameEnd < n && isNameChar(html.charAt(nameEnd))) {
            nameEnd++;
        }
        if (nameEnd == nameStart || !Character.isLetter(html.charAt(nameStart))) {
            // "a < b", "</ >": not a tag, so literal text (as browsers and jsoup read it).
            text(lt, lt + 1);
            return lt + 1;
        }
        int tagEnd = tagEnd(nameEnd);
        if (tagEnd < 0) {
            // A tag cut off by the end of the part: nothing of it is text (jsoup drops it too).
            return n;
        }
        String name = html.substring(nameStart, nameEnd).toLowerCase(Locale.ROOT);
        if (SEPARATING.contains(name)) {
            pendingSpace = true;
        }
        if (!closing && (name.equals("script") || name.equals("style"))) {
            return skipRawText(name, tagEnd);
        }
        if (name.equals("a")) {
            if (closing) {
                closeAnchor();
            } else {
                closeAnchor();
                String href = attribute(nameEnd, tagEnd, "href");
                if (href != null) {
                    anchorHref = href;
                    anchorStart = out.length();
                }
            }
        }
        return tagEnd;
    }

    /**
     * The index after the '>' that ends the tag whose attributes start at {@code from} (quotes respected), -1 when
     * the markup ends first.
     */
    private int tagEnd(int from) {
        int n = html.length();
        char quote = 0;
        for (int i = from; i < n; i++) {
            char c = html.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Skips the contents of a script or style element up to and including its end tag. */
    private int skipRawText(String name, int from) {
        int n = html.length();
        int i = from;
        while (true) {
            int lt = html.indexOf("</", i);
            if (lt < 0) {
                return n;
            }
            if (html.regionMatches(true, lt + 2, name, 0, name.length())) {
                int end = html.indexOf('>', lt);
                return end < 0 ? n : end + 1;
            }
            i = lt + 2;
        }
    }

    /** The decoded value of attribute {@code wanted} in the tag between {@code from} and {@code to}, or null. */
    private String attribute(int from, int to, String wanted) {
        int i = from;
        int end = to - 1;
        while (i < end) {
            char c = html.charAt(i);
            if (Character.isWhitespace(c) || c == '/') {
                i++;
                continue;
            }
            int nameStart = i;
            while (i < end && !Character.isWhitespace(html.charAt(i)) && html.charAt(i) != '='
                && html.charAt(i) != '>' && html.charAt(i) != '/') {
                i++;
            }
            boolean match = i - nameStart == wanted.length() && html.regionMatches(true, nameStart, wanted, 0,
                wanted.length());
            while (i < end && Character.isWhitespace(html.charAt(i))) {
                i++;
            }
            if (i >= end || html.charAt(i) != '=') {
                if (match) {
                    return "";
                }
                if (i == nameStart) {
                    i++;
                }
                continue;
            }
            i++;
            while (i < end && Character.isWhitespace(html.charAt(i))) {
                i++;
            }
            int valueStart;
            int valueEnd;
            if (i < end && (html.charAt(i) == '"' || html.charAt(i) == '\'')) {
                char quote = html.charAt(i);
                valueStart = i + 1;
                valueEnd = html.indexOf(quote, valueStart);
                if (valueEnd < 0 || valueEnd > end) {
                    valueEnd = end;
                }
                i = valueEnd + 1;
            } else {
                valueStart = i;
                while (i < end && !Character.isWhitespace(html.charAt(i))) {
                    i++;
                }
                valueEnd = i;
            }
            if (match) {
                String value = html.substring(valueStart, valueEnd);
                return value.indexOf('&') < 0 ? value : Parser.unescapeEntities(value, true);
            }
        }
        return null;
    }

    private void closeAnchor() {
        if (anchorHref != null) {
            links.add(new Link(anchorHref, out.substring(Math.min(anchorStart, out.length())).strip()));
            anchorHref = null;
        }
    }

    /** Appends the text between {@code from} and {@code to}: entities decoded, whitespace runs as one space. */
    private void text(int from, int to) {
        String source = html;
        int i = from;
        int end = to;
        if (nextAmpersand < from) {
            // Searched again only once passed, so the whole part is scanned for '&' once, not once per text run.
            int amp = html.indexOf('&', from);
            nextAmpersand = amp < 0 ? html.length() : amp;
        }
        if (nextAmpersand < to) {
            source = Parser.unescapeEntities(html.substring(from, to), false);
            i = 0;
            end = source.length();
        }
        while (i < end) {
            char c = source.charAt(i);
            if (isSpace(c)) {
                pendingSpace = true;
                i++;
            } else if (isInvisible(c)) {
                // Zero-width space and soft hyphen: invisible, so they neither show nor separate words.
                i++;
            } else {
                int word = i + 1;
                while (word < end && !isSpace(source.charAt(word)) && !isInvisible(source.charAt(word))) {
                    word++;
                }
                if (pendingSpace && out.length() > 0 && out.charAt(out.length() - 1) != ' ') {
                    out.append(' ');
                }
                pendingSpace = false;
                out.append(source, i, word);
                i = word;
            }
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u00a0';
    }

    private static boolean isInvisible(char c) {
        return c == '\u200b' || c == '\u00ad';
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '-' || c == ':' || c == '_';
    }
}
