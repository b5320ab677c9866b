package org.mailroom.smtp.delivery;

import org.apache.james.protocols.smtp.MailEnvelope;
import org.mailroom.smtp.policy.SessionVerdicts;

/**
 * The seam where the sorter plugs in: which folder of {@code user}'s account a delivered message goes to. Until the
 * sorter lands, {@link #inbox()} sends everything to INBOX.
 */
@FunctionalInterface
public interface FolderDecision {

    /** The folder name (e.g. {@code INBOX}) for this recipient; throwing fails the whole delivery with 451 4.3.0. */
    String decide(String user, MailEnvelope envelope);

    /**
     * The same, also seeing what the SMTP checks found (DNSBL listings, SPF result). Delivery calls this one;
     * deciders that care override it, others keep implementing the two-argument form.
     */
    default String decide(String user, MailEnvelope envelope, SessionVerdicts verdicts) {
        return decide(user, envelope);
    }

    static FolderDecision inbox() {
        return (user, envelope) -> "INBOX";
    }
}
