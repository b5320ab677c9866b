package org.mailroom.storage.quota;

/**
 * The quota root of a mailbox path, written exactly as James's {@code DefaultUserQuotaRootResolver} writes it
 * (namespace, '&amp;', user; the namespace alone for a mailbox without user), and read back into the mailbox-row
 * columns ({@code namespace}, {@code owner}) whose counters make up that root's usage. A test pins it to James.
 */
public record QuotaRootKey(String namespace, String owner) {
    private static final char SEPARATOR = '&';

    /** The key of the mailboxes with this namespace and owner ({@code ""} for none). */
    public static String of(String namespace, String owner) {
        return owner.isEmpty() ? namespace : namespace + SEPARATOR + owner;
    }

    /** The namespace and owner a root names. Namespaces never contain '&amp;' (James's are "#private" and such). */
    public static QuotaRootKey parse(String root) {
        int separator = root.indexOf(SEPARATOR);
        return separator < 0 ? new QuotaRootKey(root, "") : new QuotaRootKey(root.substring(0, separator),
            root.substring(separator + 1));
    }
}
