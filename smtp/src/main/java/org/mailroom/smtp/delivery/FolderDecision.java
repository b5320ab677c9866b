package org.mailroom.smtp.delivery;

import org.apache.james.protocols.smtp.MailEnvelope;

/**
 * The seam where the sorter plugs in: which folder of {@code user}'s account a delivered message goes to. Until the
 * sorter lands, {@link #inbox()} sends everything to INBOX.
 */
@FunctionalInterface
public interface FolderDecision {

    /** The folder name (e.g. {@code INBOX}) for this recipient; throwing fails the whole delivery with 451 4.3.0. */
    String decide(String user, MailEnvelope envelope);

    static FolderDecision inbox() {
        return (user, envelope) -> "INBOX";
    }
}
