package org.mailroom.smtp.delivery;

import java.util.Objects;
import java.util.Set;

/**
 * Where one recipient's copy goes and what it carries: the folder, the IMAP keywords to set, and the trace header
 * bytes ({@code X-Mailroom-Sort: ...}, CRLF-terminated, possibly empty) stored with it.
 */
public record Placement(String folder, Set<String> keywords, byte[] traceHeader) {

    public Placement {
        Objects.requireNonNull(folder, "folder");
        keywords = Set.copyOf(keywords);
        Objects.requireNonNull(traceHeader, "traceHeader");
    }

    /** INBOX, no keywords, no trace header. */
    public static Placement inbox() {
        return new Placement("INBOX", Set.of(), new byte[0]);
    }
}
