package org.mailroom.sorter.message;

import java.util.Locale;
import java.util.Objects;

/**
 * A mailbox from an address header.
 *
 * @param address     the address, lower-cased ({@code alice@example.test})
 * @param displayName the decoded display name, empty when none
 */
public record MailAddress(String address, String displayName) {

    public MailAddress {
        address = Objects.requireNonNull(address, "address").toLowerCase(Locale.ROOT);
        Objects.requireNonNull(displayName, "displayName");
    }

    /** The part after the last {@code @}, or empty when the address has none. */
    public String domain() {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1);
    }
}
