package org.mailroom.storage.user;

import java.net.IDN;
import java.util.Locale;

/**
 * The syntax Mailroom accepts for hosted domains and mailbox addresses, and their one normal form (lower case,
 * IDN domains in their ASCII form) under which they are stored and looked up.
 */
final class AddressSyntax {
    private static final int MAX_DOMAIN = 253;
    private static final int MAX_LABEL = 63;
    private static final int MAX_LOCAL_PART = 64;
    // RFC 5322 atext minus '%' and '!', which old relays read as source routes ("user%host@relay", "host!user").
    private static final String LOCAL_SYMBOLS = "#$&'*+-/=?^_`{|}~";

    private AddressSyntax() {
    }

    /** The normal form of a domain name, or a {@link UserAdminException} naming what is wrong with it. */
    static String domain(String domain) {
        if (domain == null || domain.isEmpty()) {
            throw new UserAdminException("a domain name is required");
        }
        String ascii;
        try {
            ascii = IDN.toASCII(domain.toLowerCase(Locale.ROOT), IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw invalidDomain(domain, "it is not a valid internationalised domain name");
        }
        if (ascii.length() > MAX_DOMAIN) {
            throw invalidDomain(domain, "it is longer than " + MAX_DOMAIN + " characters");
        }
        String[] labels = ascii.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty() || label.length() > MAX_LABEL) {
                throw invalidDomain(domain, "each dot-separated label must be 1 to " + MAX_LABEL + " characters");
            }
            if (!label.chars().allMatch(c -> isAsciiLetterOrDigit(c) || c == '-')
                || label.startsWith("-") || label.endsWith("-")) {
                throw invalidDomain(domain, "labels hold only letters, digits and inner hyphens");
            }
        }
        // An all-digit last label means an IP address was given where a name belongs.
        if (labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
            throw invalidDomain(domain, "it looks like an IP address, not a domain name");
        }
        return ascii;
    }

    /** The normal form of a domain, or null if it is not one (for lookups, which answer "no" rather than throw). */
    static String domainOrNull(String domain) {
        try {
            return domain(domain);
        } catch (UserAdminException e) {
            return null;
        }
    }

    /** The normal form {@code local@domain} of a mailbox address. */
    static String address(String address) {
        if (address == null) {
            throw new UserAdminException("an address is required");
        }
        int at = address.indexOf('@');
        if (at <= 0 || at != address.lastIndexOf('@') || at == address.length() - 1) {
            throw invalidAddress(address);
        }
        String local = address.substring(0, at);
        if (!isDotAtom(local)) {
            throw invalidAddress(address);
        }
        String domain;
        try {
            domain = domain(address.substring(at + 1));
        } catch (UserAdminException e) {
            throw invalidAddress(address);
        }
        return local.toLowerCase(Locale.ROOT) + '@' + domain;
    }

    /** The normal form of an address, or null if it is not one Mailroom could host. */
    static String addressOrNull(String address) {
        try {
            return address(address);
        } catch (UserAdminException e) {
            return null;
        }
    }

    /** The domain part of a normalised address. */
    static String domainOf(String normalisedAddress) {
        return normalisedAddress.substring(normalisedAddress.indexOf('@') + 1);
    }

    private static boolean isDotAtom(String local) {
        if (local.isEmpty() || local.length() > MAX_LOCAL_PART
            || local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return false;
        }
        return local.chars().allMatch(c -> isAsciiLetterOrDigit(c) || c == '.' || LOCAL_SYMBOLS.indexOf(c) >= 0);
    }

    private static boolean isAsciiLetterOrDigit(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static UserAdminException invalidDomain(String domain, String reason) {
        return new UserAdminException("invalid domain '" + printable(domain) + "': " + reason);
    }

    private static UserAdminException invalidAddress(String address) {
        return new UserAdminException("invalid address '" + printable(address) + "'");
    }

    // Input echoed into messages (and so into logs) must not smuggle control characters such as CR/LF.
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
