package org.mailroom.sorter.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jsoup.internal.StringUtil;
import org.jsoup.parser.Parser;

/**
 * The links of an HTML part ({@code <a href>} and the anchor's text, exactly as jsoup's tree gives them) found in one
 * pass over the source, without building the tree, which is most of a parse's cost and every message needs its
 * links. It answers only for markup whose anchors jsoup's tree builder cannot move, split, clone or re-nest, and
 * returns {@code null} otherwise, so that the caller parses with jsoup: an anchor not closed by its own
 * {@code </a>}, or with anything but simple inline markup inside (jsoup's text separators come from the tree), an
 * element where jsoup would foster-parent it out of a table, preformatted or foreign (SVG, MathML) content, frames,
 * selects, templates, CDATA, scripts with comment-like content, NUL characters, malformed tags and attributes,
 * nesting deeper than {@link #MAX_DEPTH}. Entities are decoded by jsoup ({@link Parser#unescapeEntities}) and the
 * anchor's text normalised by jsoup's own whitespace rule, so equal output is checked against jsoup over whole
 * corpora (MailParserHtmlTest).
 */
final class HtmlLinks {
    static final int MAX_DEPTH = 200;

    /** Elements whose content or tree placement this scanner does not model: give the part to jsoup. */
    private static final Set<String> UNMODELLED = Set.of("xmp", "iframe", "noembed", "noframes", "noscript",
        "plaintext", "template", "svg", "math", "select", "frameset", "frame", "image", "isindex", "listing", "pre",
        "option", "optgroup", "datalist", "input", "form", "button", "object", "applet", "marquee", "caption");
    /** Raw-text and RCDATA elements: their content is text up to their end tag (no markup, so no anchors). */
    private static final Set<String> RAW = Set.of("style", "script", "title", "textarea");
    /** Elements that never have content (jsoup's void tags); not put on the stack. */
    private static final Set<String> VOID = Set.of("area", "base", "br", "col", "embed", "hr", "img", "input",
        "keygen", "link", "meta", "param", "source", "track", "wbr", "basefont", "bgsound", "command");
    /** Table structure: where any other element would be foster-parented out of the table by jsoup. */
    private static final Set<String> TABLE_CONTEXT = Set.of("table", "tbody", "thead", "tfoot", "tr", "colgroup");
    private static final Set<String> TABLE_CHILDREN = Set.of("tbody", "thead", "tfoot", "tr", "td", "th", "col",
        "colgroup", "style");
    /**
     * Inline elements allowed inside an anchor: jsoup's text rule puts no separator around any of them except
     * {@code br} (one before) and {@code img} (a text boundary: one after, before a following text or inline
     * element), both handled below.
     */
    private static final Set<String> INLINE_IN_ANCHOR = Set.of("span", "b", "i", "u", "em", "strong", "font",
        "small", "big", "sub", "sup", "s", "strike", "tt", "img", "br", "wbr", "code", "abbr", "nobr");

    // What the scan needs to know of a tag name, as bits, for the names above and common ones (looked up by text
    // range, so a known tag costs no String); other names are cut out of the source and belong to no set.
    private static final int IS_UNMODELLED = 1;
    private static final int IS_RAW = 2;
    private static final int IS_VOID = 4;
    private static final int IS_TABLE_CONTEXT = 8;
    private static final int IS_TABLE_CHILD = 16;
    private static final int IS_INLINE_IN_ANCHOR = 32;
    private static final int IS_KNOWN = 64;
    private static final int TABLE_SLOTS = 512;
    private static final String[] NAMES = new String[TABLE_SLOTS];
    private static final int[] FLAGS = new int[TABLE_SLOTS];

    static {
        java.util.Set<String> all = new java.util.TreeSet<>();
        for (Set<String> set : List.of(UNMODELLED, RAW, VOID, TABLE_CONTEXT, TABLE_CHILDREN, INLINE_IN_ANCHOR)) {
            all.addAll(set);
        }
        all.addAll(List.of("a", "p", "div", "td", "th", "li", "ul", "ol", "dl", "dt", "dd", "center", "blockquote",
            "h1", "h2", "h3", "h4", "h5", "h6", "html", "head", "body", "meta", "link", "base", "hr", "address",
            "cite", "q", "ins", "del", "map", "area", "label", "header", "footer", "section", "article", "nav",
            "main", "aside", "figure", "picture", "source", "video", "audio"));
        for (String name : all) {
            int slot = slot(hash(name, 0, name.length()));
            while (NAMES[slot] != null) {
                slot = (slot + 1) & (TABLE_SLOTS - 1);
            }
            NAMES[slot] = name;
            FLAGS[slot] = (UNMODELLED.contains(name) ? IS_UNMODELLED : 0) | (RAW.contains(name) ? IS_RAW : 0)
                | (VOID.contains(name) ? IS_VOID : 0) | (TABLE_CONTEXT.contains(name) ? IS_TABLE_CONTEXT : 0)
                | (TABLE_CHILDREN.contains(name) ? IS_TABLE_CHILD : 0)
                | (INLINE_IN_ANCHOR.contains(name) ? IS_INLINE_IN_ANCHOR : 0)
                | (org.jsoup.parser.Tag.isKnownTag(name) ? IS_KNOWN : 0);
        }
    }

    private static int hash(CharSequence s, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + lowerAscii(s.charAt(i));
        }
        return h;
    }

    private static int slot(int hash) {
        return (hash ^ (hash >>> 9)) & (TABLE_SLOTS - 1);
    }

    private final String html;
    private int at;
    private final List<Link> links = new ArrayList<>();
    // The elements open outside anchors (an over-approximation: implied end tags are not applied).
    private final String[] openNames = new String[MAX_DEPTH];
    private final int[] openFlags = new int[MAX_DEPTH];
    private int depth;
    // The anchor being read, if any.
    private boolean inAnchor;
    private String href;
    private final StringBuilder anchorText = new StringBuilder();
    private final List<String> openInAnchor = new ArrayList<>();
    private boolean afterImage;
    // The last tag read.
    private String tagName;
    private int tagFlags;
    private boolean selfClosing;
    private String tagHref;

    private HtmlLinks(String html) {
        this.html = html;
    }

    /** The part's links in document order, or {@code null} when only jsoup's tree can say. */
    static List<Link> scan(String html) {
        if (html.indexOf('\0') >= 0) {
            return null;
        }
        HtmlLinks scanner = new HtmlLinks(html);
        try {
            scanner.run();
        } catch (NotModelled notModelled) {
            return null;
        }
        return scanner.links;
    }

    private void run() {
        int n = html.length();
        while (at < n) {
            int lt = html.indexOf('<', at);
            if (lt < 0) {
                text(at, n);
                at = n;
                break;
            }
            if (lt > at) {
                text(at, lt);
            }
            at = lt;
            char next = lt + 1 < n ? html.charAt(lt + 1) : '\uFFFF';
            if (next == '!') {
                markupDeclaration();
            } else if (next == '?') {
                notModelledInAnchor();
                at = skipPast('>', lt + 2);
            } else if (next == '/') {
                if (lt + 2 >= n || !isAsciiLetter(html.charAt(lt + 2))) {
                    throw new NotModelled();
                }
                at = lt + 2;
                readTag();
                endTag();
            } else if (isAsciiLetter(next)) {
                at = lt + 1;
                readTag();
                startTag();
            } else {
                // A '<' that starts no tag is text.
                text(lt, lt + 1);
                at = lt + 1;
            }
        }
        if (inAnchor) {
            throw new NotModelled();
        }
    }

    private void markupDeclaration() {
        if (html.startsWith("<!--", at)) {
            if (inAnchor) {
                afterImage = false; // a comment is the image's next sibling: no separator
            }
            at = commentEnd(at + 4);
        } else if (html.startsWith("<![", at)) {
            throw new NotModelled();
        } else {
            notModelledInAnchor();
            at = skipPast('>', at + 2); // doctype or bogus comment
        }
    }

    /** Where a comment whose text starts at {@code from} ends, as jsoup's tokeniser reads it. */
    private int commentEnd(int from) {
        int n = html.length();
        if (html.startsWith(">", from)) {
            return from + 1;
        }
        if (html.startsWith("->", from)) {
            return from + 2;
        }
        int i = from;
        while (true) {
            int dashes = html.indexOf("--", i);
            if (dashes < 0) {
                return n;
            }
            int j = dashes + 2;
            while (j < n && html.charAt(j) == '-') {
                j++;
            }
            if (j < n && html.charAt(j) == '>') {
                return j + 1;
            }
            if (html.startsWith("!>", j)) {
                return j + 2;
            }
            i = dashes + 1;
        }
    }

    private int skipPast(char c, int from) {
        int i = html.indexOf(c, from);
        return i < 0 ? html.length() : i + 1;
    }

    private void notModelledInAnchor() {
        if (inAnchor) {
            throw new NotModelled();
        }
    }

    /** Reads a tag's name and attributes from {@code at} (just after {@code <} or {@code </}) past its {@code >}. */
    private void readTag() {
        int n = html.length();
        int start = at;
        while (at < n && !isTagNameEnd(html.charAt(at))) {
            at++;
        }
        if (at >= n || html.charAt(at) == '<') {
            throw new NotModelled();
        }
        name(start, at);
        selfClosing = false;
        tagHref = null;
        boolean anchor = tagName.equals("a");
        while (true) {
            skipWhitespace();
            if (at >= n) {
                throw new NotModelled();
            }
            char c = html.charAt(at);
            if (c == '>') {
                at++;
                return;
            }
            if (c == '/') {
                if (at + 1 < n && html.charAt(at + 1) == '>') {
                    selfClosing = true;
                    at += 2;
                    return;
                }
                at++;
                continue;
            }
            if (c == '"' || c == '\'' || c == '<' || c == '=') {
                throw new NotModelled();
            }
            int nameStart = at;
            while (at < n && !isAttributeNameEnd(html.charAt(at))) {
                char a = html.charAt(at);
                if (a == '"' || a == '\'' || a == '<') {
                    throw new NotModelled();
                }
                at++;
            }
            boolean wanted = anchor && tagHref == null && isHref(nameStart, at);
            skipWhitespace();
            String value = "";
            if (at < n && html.charAt(at) == '=') {
                at++;
                skipWhitespace();
                value = attributeValue(wanted);
            }
            if (wanted) {
                tagHref = value.indexOf('&') < 0 ? value : Parser.unescapeEntities(value, true);
            }
        }
    }

    /** Sets {@link #tagName} and {@link #tagFlags} from the source range. */
    private void name(int start, int end) {
        int length = end - start;
        int slot = slot(hash(html, start, end));
        for (String known; (known = NAMES[slot]) != null; slot = (slot + 1) & (TABLE_SLOTS - 1)) {
            if (known.length() == length && sameAsciiLower(start, known)) {
                tagName = known;
                tagFlags = FLAGS[slot];
                return;
            }
        }
        tagName = lowerAscii(html.substring(start, end));
        tagFlags = org.jsoup.parser.Tag.isKnownTag(tagName) ? IS_KNOWN : 0;
    }

    private boolean sameAsciiLower(int start, String lower) {
        for (int k = 0; k < lower.length(); k++) {
            if (lowerAscii(html.charAt(start + k)) != lower.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Reads an attribute value; the String only when {@code wanted} (only an anchor's href is). */
    private String attributeValue(boolean wanted) {
        int n = html.length();
        if (at >= n) {
            throw new NotModelled();
        }
        char q = html.charAt(at);
        if (q == '"' || q == '\'') {
            int close = html.indexOf(q, at + 1);
            if (close < 0) {
                throw new NotModelled();
            }
            String value = wanted ? html.substring(at + 1, close) : "";
            at = close + 1;
            return value;
        }
        if (q == '>') {
            return "";
        }
        int start = at;
        while (at < n && !isWhitespace(html.charAt(at)) && html.charAt(at) != '>') {
            char c = html.charAt(at);
            if (c == '"' || c == '\'' || c == '<' || c == '=' || c == '`') {
                throw new NotModelled();
            }
            at++;
        }
        if (at >= n) {
            throw new NotModelled();
        }
        return wanted ? html.substring(start, at) : "";
    }

    private boolean isHref(int start, int end) {
        return end - start == 4 && lowerAscii(html.charAt(start)) == 'h' && lowerAscii(html.charAt(start + 1)) == 'r'
            && lowerAscii(html.charAt(start + 2)) == 'e' && lowerAscii(html.charAt(start + 3)) == 'f';
    }

    private void startTag() {
        String name = tagName;
        int flags = tagFlags;
        if ((flags & IS_UNMODELLED) != 0) {
            throw new NotModelled();
        }
        boolean isVoid = (flags & IS_VOID) != 0;
        if (selfClosing && !isVoid && (flags & IS_KNOWN) != 0) {
            throw new NotModelled(); // jsoup keeps a known element open despite "/>"
        }
        if (inAnchor) {
            if ((flags & IS_INLINE_IN_ANCHOR) == 0 || selfClosing && !isVoid) {
                throw new NotModelled();
            }
            if (afterImage) {
                separate(); // an inline element follows an image (a text boundary)
                afterImage = false;
            }
            if (name.equals("br") && !anchorText.isEmpty()) {
                separate();
            }
            if (name.equals("img")) {
                afterImage = true;
            } else if (!isVoid) {
                openInAnchor.add(name);
            }
            return;
        }
        if (depth > 0 && (openFlags[depth - 1] & IS_TABLE_CONTEXT) != 0 && (flags & IS_TABLE_CHILD) == 0) {
            throw new NotModelled(); // jsoup would foster-parent it before the table
        }
        if (name.equals("a")) {
            if (selfClosing) {
                throw new NotModelled();
            }
            inAnchor = true;
            href = tagHref;
            anchorText.setLength(0);
            openInAnchor.clear();
            afterImage = false;
            return;
        }
        if ((flags & IS_RAW) != 0) {
            skipRawText(name);
            return;
        }
        if (!isVoid && !selfClosing) {
            if (depth >= MAX_DEPTH) {
                throw new NotModelled();
            }
            openNames[depth] = name;
            openFlags[depth++] = flags;
        }
    }

    private void endTag() {
        String name = tagName;
        if (inAnchor) {
            if (name.equals("a") && openInAnchor.isEmpty()) {
                inAnchor = false;
                if (href != null) {
                    links.add(new Link(href, anchorText.toString().trim()));
                }
                return;
            }
            if (openInAnchor.isEmpty() || !openInAnchor.get(openInAnchor.size() - 1).equals(name)) {
                throw new NotModelled();
            }
            openInAnchor.remove(openInAnchor.size() - 1);
            afterImage = false; // the image was the last child: no next sibling
            return;
        }
        for (int i = depth - 1; i >= 0; i--) {
            if (openNames[i].equals(name)) {
                depth = i;
                return;
            }
        }
    }

    /** Skips a raw-text element's content (no markup inside) and its end tag. */
    private void skipRawText(String name) {
        int n = html.length();
        int i = at;
        while (true) {
            int close = html.indexOf("</", i);
            if (close < 0) {
                if (name.equals("script") && html.indexOf("<!--", at) >= 0) {
                    throw new NotModelled();
                }
                at = n;
                return;
            }
            int end = close + 2 + name.length();
            if (html.regionMatches(true, close + 2, name, 0, name.length()) && end < n
                && (isWhitespace(html.charAt(end)) || html.charAt(end) == '/' || html.charAt(end) == '>')) {
                if (name.equals("script") && html.substring(at, close).contains("<!--")) {
                    throw new NotModelled(); // script data's escape states
                }
                at = close + 2;
                readTag();
                return;
            }
            i = close + 2;
        }
    }

    private void text(int from, int to) {
        if (!inAnchor) {
            return;
        }
        String run = html.substring(from, to);
        if (run.indexOf('&') >= 0) {
            run = Parser.unescapeEntities(run, false);
        }
        if (afterImage) {
            separate();
            afterImage = false;
        }
        StringUtil.appendNormalisedWhitespace(anchorText, run, lastIsSpace());
    }

    /** jsoup's text separator: one space, unless the text so far ends with one. */
    private void separate() {
        if (!lastIsSpace()) {
            anchorText.append(' ');
        }
    }

    private boolean lastIsSpace() {
        return !anchorText.isEmpty() && anchorText.charAt(anchorText.length() - 1) == ' ';
    }

    private void skipWhitespace() {
        while (at < html.length() && isWhitespace(html.charAt(at))) {
            at++;
        }
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
    }

    private static boolean isTagNameEnd(char c) {
        return isWhitespace(c) || c == '/' || c == '>' || c == '<';
    }

    private static boolean isAttributeNameEnd(char c) {
        return isWhitespace(c) || c == '/' || c == '=' || c == '>';
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static char lowerAscii(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    private static String lowerAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z' || c > 127) {
                return s.toLowerCase(Locale.ENGLISH);
            }
        }
        return s;
    }

    /** Markup this scanner leaves to jsoup. */
    private static final class NotModelled extends RuntimeException {
        NotModelled() {
            super(null, null, false, false);
        }
    }
}
