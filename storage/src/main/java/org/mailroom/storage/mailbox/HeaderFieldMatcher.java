package org.mailroom.storage.mailbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.james.mailbox.model.Header;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.SearchQuery.Criterion;
import org.apache.james.mime4j.util.MimeUtil;

/**
 * Answers a search made only of {@code HEADER name text} and {@code SUBJECT text} criteria (AND-ed) from a
 * message's raw header bytes, without building the message or parsing it with mime4j, whenever the answer is
 * certainly James's. James's {@code MessageSearches} has mime4j split the header into fields, takes each field's
 * text after the colon, decodes its encoded words, unfolds it (CR and LF removed) and tests, for a field whose name
 * equals the criterion's ignoring case, whether its value upper-cased (Locale.US) contains the text upper-cased.
 * For a field of plain ASCII without {@code =?} the decoding changes nothing, and upper-casing is ASCII's, so this
 * does the same on the bytes. Anything else is {@link Decision#UNDECIDED} and left to James: a searched field
 * with 8-bit bytes or {@code =?}, or a header whose field structure is not plain (a line without a well-formed
 * name and colon, a continuation before the first field, a whitespace-only line, a CR not followed by LF).
 * Texts must be printable (ASCII or not) and not start with white space (mime4j drops up to two spaces after the colon,
 * which only a text starting with one could notice); names must be printable ASCII, because
 * {@code String.equalsIgnoreCase} also pairs some non-ASCII letters with ASCII ones (KELVIN SIGN and "k").
 */
final class HeaderFieldMatcher {
    /** A message's answer from its header bytes alone, or none. */
    enum Decision { MATCH, NO_MATCH, UNDECIDED }

    private final byte[][] names;
    private final byte[][] texts;
    private final String[] nameStrings;
    private final String[] textStrings;

    private HeaderFieldMatcher(List<byte[]> names, List<byte[]> texts) {
        this.names = names.toArray(new byte[0][]);
        this.texts = texts.toArray(new byte[0][]);
        this.nameStrings = names.stream().map(name -> new String(name, StandardCharsets.US_ASCII)).toArray(String[]::new);
        this.textStrings = texts.stream().map(text -> new String(text, StandardCharsets.UTF_8)).toArray(String[]::new);
    }

    /** The matcher for a query whose every criterion it can answer, else empty. */
    static Optional<HeaderFieldMatcher> of(SearchQuery query) {
        List<byte[]> names = new ArrayList<>();
        List<byte[]> texts = new ArrayList<>();
        return collect(query.getCriteria(), names, texts) && !names.isEmpty()
            ? Optional.of(new HeaderFieldMatcher(names, texts)) : Optional.empty();
    }

    private static boolean collect(List<Criterion> criteria, List<byte[]> names, List<byte[]> texts) {
        for (Criterion criterion : criteria) {
            boolean answerable;
            if (criterion instanceof SearchQuery.ConjunctionCriterion conjunction
                    && conjunction.getType() == SearchQuery.Conjunction.AND) {
                answerable = collect(conjunction.getCriteria(), names, texts);
            } else if (criterion instanceof SearchQuery.SubjectCriterion subject) {
                answerable = add(subject.asHeaderCriterion(), names, texts);
            } else if (criterion instanceof SearchQuery.HeaderCriterion header) {
                answerable = add(header, names, texts);
            } else if (criterion instanceof SearchQuery.AllCriterion) {
                // restricts nothing; Jakarta Mail (Angus) sends every search of a whole folder as "ALL criteria"
                answerable = true;
            } else {
                answerable = false;
            }
            if (!answerable) {
                return false;
            }
        }
        return true;
    }

    private static boolean add(SearchQuery.HeaderCriterion criterion, List<byte[]> names, List<byte[]> texts) {
        if (!(criterion.getOperator() instanceof SearchQuery.ContainsOperator contains)) {
            return false;
        }
        String name = criterion.getHeaderName();
        String text = contains.getValue();
        if (name.isEmpty() || !printableAscii(name) || text.isEmpty() || !printable(text) || text.charAt(0) == ' ') {
            return false;
        }
        names.add(upperAscii(name.getBytes(StandardCharsets.US_ASCII)));
        // UTF-8: a text's non-ASCII letters (those upper-casing does not turn into ASCII, as "ß" into "SS") become
        // bytes of 0x80 and above, which a plain field never holds, so it cannot contain them, nor can James's value
        texts.add(text.toUpperCase(Locale.US).getBytes(StandardCharsets.UTF_8));
        return true;
    }

    /** No control characters (ASCII's or C1's); any other character, ASCII or not. */
    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x20 || (ch >= 0x7f && ch < 0xa0)) {
                return false;
            }
        }
        return true;
    }

    private static boolean printableAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x20 || ch >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the message with this header matches every criterion. One pass over the bytes: each field's name is
     * compared with the criteria's, and a searched field's value is unfolded and upper-cased into one buffer.
     */
    Decision decide(byte[] header) {
        // per criterion: 0 not seen, 1 matched, 2 a field of its name could not be read plainly
        byte[] state = new byte[names.length];
        byte[] value = new byte[64];
        int fieldStart = -1;
        int nameEnd = -1;
        int valueLength = 0;
        boolean plainValue = true;
        int pos = 0;
        int end = header.length;
        while (pos < end) {
            int lineEnd = pos;
            while (lineEnd < end && header[lineEnd] != '\n') {
                lineEnd++;
            }
            int contentEnd = lineEnd > pos && header[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            if (contentEnd == pos) {
                break; // the empty line that ends the header
            }
            byte first = header[pos];
            int copyFrom;
            if (first == ' ' || first == '\t') {
                if (fieldStart < 0 || blank(header, pos, contentEnd)) {
                    return Decision.UNDECIDED;
                }
                copyFrom = pos;
            } else {
                if (fieldStart >= 0) {
                    settle(header, fieldStart, nameEnd, value, valueLength, plainValue, state);
                }
                int colon = pos;
                while (colon < contentEnd && header[colon] != ':' && header[colon] > ' ' && header[colon] < 0x7f) {
                    colon++;
                }
                if (colon == pos || colon == contentEnd || header[colon] != ':') {
                    return Decision.UNDECIDED;
                }
                fieldStart = pos;
                nameEnd = colon;
                valueLength = 0;
                plainValue = true;
                copyFrom = colon + 1;
            }
            if (searched(header, fieldStart, nameEnd)) {
                for (int i = copyFrom; i < contentEnd; i++) {
                    byte b = header[i];
                    if (b < 0 || b == '\r' || (b == '?' && valueLength > 0 && value[valueLength - 1] == '=')) {
                        if (b == '\r') {
                            return Decision.UNDECIDED; // a CR not followed by LF: mime4j's lines are not these
                        }
                        plainValue = false;
                    }
                    if (valueLength == value.length) {
                        value = Arrays.copyOf(value, value.length * 2);
                    }
                    value[valueLength++] = b >= 'a' && b <= 'z' ? (byte) (b - ('a' - 'A')) : b;
                }
            } else if (indexOf(header, pos, contentEnd, (byte) '\r') >= 0) {
                return Decision.UNDECIDED;
            }
            pos = lineEnd + 1;
        }
        if (fieldStart >= 0) {
            settle(header, fieldStart, nameEnd, value, valueLength, plainValue, state);
        }
        Decision decision = Decision.MATCH;
        for (byte s : state) {
            if (s == 0) {
                return Decision.NO_MATCH;
            }
            if (s == 2) {
                decision = Decision.UNDECIDED;
            }
        }
        return decision;
    }

    /**
     * Whether a message whose header James parsed into {@code fields} ({@code ResultUtils.createHeaders}) matches
     * every criterion, compared as James's {@code MessageSearches} compares a contains criterion: a field whose name
     * equals the criterion's ignoring case, its value unscrambled (encoded words decoded, unfolded) and upper-cased
     * (Locale.US), containing the text upper-cased. For the messages {@link #decide} leaves undecided.
     */
    boolean matches(List<Header> fields) {
        for (int c = 0; c < nameStrings.length; c++) {
            if (!anyFieldContains(fields, nameStrings[c], textStrings[c])) {
                return false;
            }
        }
        return true;
    }

    private static boolean anyFieldContains(List<Header> fields, String name, String upperText) {
        for (Header field : fields) {
            if (name.equalsIgnoreCase(field.getName())) {
                String value = MimeUtil.unscrambleHeaderValue(field.getValue());
                if (value != null && value.toUpperCase(Locale.US).contains(upperText)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Records what one complete field says for each criterion of its name. */
    private void settle(byte[] header, int nameStart, int nameEnd, byte[] value, int valueLength, boolean plainValue,
                        byte[] state) {
        for (int c = 0; c < names.length; c++) {
            if (state[c] == 1 || !sameName(header, nameStart, nameEnd, names[c])) {
                continue;
            }
            if (!plainValue) {
                state[c] = 2;
            } else if (HeaderTextPrefilter.indexOf(value, valueLength, texts[c]) >= 0) {
                state[c] = 1;
            }
        }
    }

    private boolean searched(byte[] header, int nameStart, int nameEnd) {
        for (byte[] name : names) {
            if (sameName(header, nameStart, nameEnd, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameName(byte[] header, int start, int end, byte[] upperName) {
        if (end - start != upperName.length) {
            return false;
        }
        for (int i = 0; i < upperName.length; i++) {
            byte b = header[start + i];
            if ((b >= 'a' && b <= 'z' ? (byte) (b - ('a' - 'A')) : b) != upperName[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean blank(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] bytes, int from, int to, byte wanted) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] upperAscii(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] >= 'a' && bytes[i] <= 'z') {
                bytes[i] -= 'a' - 'A';
            }
        }
        return bytes;
    }
}
