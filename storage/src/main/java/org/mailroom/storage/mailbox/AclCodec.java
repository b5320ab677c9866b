package org.mailroom.storage.mailbox;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.apache.james.mailbox.exception.UnsupportedRightException;
import org.apache.james.mailbox.model.MailboxACL;

/**
 * Stores a {@link MailboxACL} as one text column: a Java properties text of entry key to RFC 4314 rights,
 * the form MailboxACL itself can be built from. An empty ACL is stored as NULL.
 */
final class AclCodec {
    private AclCodec() {
    }

    static String encode(MailboxACL acl) {
        if (acl == null || acl.getEntries().isEmpty()) {
            return null;
        }
        Map<String, String> sorted = new TreeMap<>();
        acl.getEntries().forEach((key, rights) -> sorted.put(key.serialize(), rights.serialize()));
        Properties properties = new Properties();
        properties.putAll(sorted);
        StringWriter out = new StringWriter();
        try {
            properties.store(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static MailboxACL decode(String text) {
        if (text == null || text.isBlank()) {
            return MailboxACL.EMPTY;
        }
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
            return new MailboxACL(properties);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (UnsupportedRightException e) {
            throw new IllegalStateException("Stored ACL has an unsupported right: " + e.getMessage(), e);
        }
    }
}
