package org.mailroom.storage.mailbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.SearchQuery.Criterion;

/**
 * Decides, from a message's raw header bytes alone, that it cannot match a search: the texts a query's header
 * criteria require ({@code HEADER name text}, {@code SUBJECT text}, AND-ed at the top of the query) must each
 * appear somewhere in the header. James's {@code MessageSearches} parses every header with mime4j, unfolds each
 * field, decodes its encoded words and compares in upper case (Locale.US); a field's value so compared is, for
 * a header of plain ASCII bytes without {@code =?}, a piece of the header with line breaks removed and letters upper
 * cased, which is exactly what this checks. Any other header (8-bit bytes, which mime4j reads as ISO-8859-1 where
 * "ß" upper-cases to "SS", or encoded words) is left to James, as is every message that passes.
 */
final class HeaderTextPrefilter {
    private final List<byte[]> requiredTexts;

    private HeaderTextPrefilter(List<byte[]> requiredTexts) {
        this.requiredTexts = requiredTexts;
    }

    /** The prefilter for a query, or empty when no top-level criterion requires a text this can look for. */
    static Optional<HeaderTextPrefilter> of(SearchQuery query) {
        List<byte[]> texts = new ArrayList<>();
        collect(query.getCriteria(), texts);
        return texts.isEmpty() ? Optional.empty() : Optional.of(new HeaderTextPrefilter(texts));
    }

    private static void collect(List<Criterion> criteria, List<byte[]> texts) {
        for (Criterion criterion : criteria) {
            if (criterion instanceof SearchQuery.ConjunctionCriterion conjunction
                    && conjunction.getType() == SearchQuery.Conjunction.AND) {
                collect(conjunction.getCriteria(), texts);
            } else if (criterion instanceof SearchQuery.SubjectCriterion subject) {
                requiredText(subject.asHeaderCriterion(), texts);
            } else if (criterion instanceof SearchQuery.HeaderCriterion header) {
                requiredText(header, texts);
            }
        }
    }

    private static void requiredText(SearchQuery.HeaderCriterion criterion, List<byte[]> texts) {
        if (criterion.getOperator() instanceof SearchQuery.ContainsOperator contains) {
            String text = contains.getValue();
            // An empty text matches any message having the field; other characters than printable ASCII could
            // come from decoding, so those criteria are left to James.
            if (!text.isEmpty() && text.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)) {
                texts.add(text.toUpperCase(Locale.US).getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    /** False only when the header certainly lacks one of the required texts. */
    boolean mayMatch(byte[] header) {
        byte[] folded = new byte[header.length];
        int length = 0;
        for (byte b : header) {
            if (b < 0) {
                return true;
            }
            if (b == '\r' || b == '\n') {
                continue;
            }
            // "=?" after unfolding (line breaks removed) may start an encoded word
            if (b == '?' && length > 0 && folded[length - 1] == '=') {
                return true;
            }
            folded[length++] = b >= 'a' && b <= 'z' ? (byte) (b - ('a' - 'A')) : b;
        }
        for (byte[] text : requiredTexts) {
            if (indexOf(folded, length, text) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Where {@code needle} first occurs in the first {@code length} bytes of {@code haystack}, or -1. */
    static int indexOf(byte[] haystack, int length, byte[] needle) {
        byte first = needle[0];
        for (int i = 0, last = length - needle.length; i <= last; i++) {
            if (haystack[i] != first) {
                continue;
            }
            int j = 1;
            while (j < needle.length && haystack[i + j] == needle[j]) {
                j++;
            }
            if (j == needle.length) {
                return i;
            }
        }
        return -1;
    }
}
