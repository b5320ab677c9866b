package org.mailroom.sorter.message;

import java.util.List;

import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.LenientAddressParser;

/**
 * Parses address header values with mime4j's lenient parser (real mail is full of broken address lists), except the
 * one plain form most machine-sent mail uses, {@link #plainMailbox}: delivery reads From for every recipient's
 * decision, and mime4j's parser with its list and stream took ~3 % of an SMTP delivery's CPU for a bare address.
 */
final class Addresses {

    private Addresses() {
    }

    static List<MailAddress> parse(String value) {
        MailAddress plain = plainMailbox(value);
        if (plain != null) {
            return List.of(plain);
        }
        return parsedByMime4j(value);
    }

    /** What mime4j's lenient parser makes of {@code value}: the reference the plain form must agree with. */
    static List<MailAddress> parsedByMime4j(String value) {
        try {
            return LenientAddressParser.DEFAULT.parseAddressList(value).flatten().stream()
                .filter(mailbox -> mailbox.getLocalPart() != null && !mailbox.getLocalPart().isBlank())
                .map(Addresses::toMailAddress)
                .toList();
        } catch (RuntimeException unparseable) {
            return List.of();
        }
    }

    /**
     * The one mailbox of a value that is a bare address, {@code local@domain} or {@code <local@domain>} with
     * spaces or tabs around, where the local part is a dot-atom of RFC 5322 atext and the domain a dot-atom of
     * letters, digits and hyphens; {@code null} for anything else (names, comments, quotes, lists, groups, routes,
     * encoded words, odd dots), which mime4j parses. On that form mime4j gives the same address and no name
     * ({@code AddressesTest} checks both agree).
     */
    static MailAddress plainMailbox(String value) {
        int n = value.length();
        int start = 0;
        while (start < n && isBlank(value.charAt(start))) {
            start++;
        }
        int end = n;
        while (end > start && isBlank(value.charAt(end - 1))) {
            end--;
        }
        if (end - start >= 2 && value.charAt(start) == '<' && value.charAt(end - 1) == '>') {
            start++;
            end--;
        }
        int at = -1;
        for (int i = start; i < end; i++) {
            if (value.charAt(i) == '@') {
                if (at >= 0) {
                    return null;
                }
                at = i;
            }
        }
        if (at < 0 || !isDotAtom(value, start, at, true) || !isDotAtom(value, at + 1, end, false)) {
            return null;
        }
        return new MailAddress(value.substring(start, end), "");
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /** Whether {@code value[from, to)} is one or more runs of the allowed characters separated by single dots. */
    private static boolean isDotAtom(String value, int from, int to, boolean local) {
        if (from >= to || value.charAt(from) == '.' || value.charAt(to - 1) == '.') {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = value.charAt(i);
            if (c == '.') {
                if (value.charAt(i - 1) == '.') {
                    return false;
                }
            } else if (!(local ? isLocalChar(c) : isDomainChar(c))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDomainChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    }

    /** RFC 5322 atext. */
    private static boolean isLocalChar(char c) {
        return isDomainChar(c) || "!#$%&'*+/=?^_`{|}~".indexOf(c) >= 0;
    }

    private static MailAddress toMailAddress(Mailbox mailbox) {
        String name = mailbox.getName() == null ? "" : DecoderUtil.decodeEncodedWords(mailbox.getName(), DecodeMonitor.SILENT);
        return new MailAddress(mailbox.getAddress(), name.strip());
    }
}
