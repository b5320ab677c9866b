package org.mailroom.smtp.policy;

import java.util.List;
import java.util.Optional;

import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * What the SMTP checks found about the current message, for the sorter: the block lists that list the client (kept
 * for the connection) and the SPF result of the current transaction (empty when not evaluated: authenticated,
 * local client, or SPF off). Immutable; read with {@link #of}.
 */
public record SessionVerdicts(List<DnsblResult> dnsbl, Optional<SpfResult> spf) {

    static final AttachmentKey<DnsblListings> DNSBL = AttachmentKey.of("mailroom.dnsbl", DnsblListings.class);
    static final AttachmentKey<SpfResult> SPF = AttachmentKey.of("mailroom.spf", SpfResult.class);

    /** The DNSBL outcome of a connection, computed once at its first RCPT. */
    record DnsblListings(List<DnsblResult> listings) {
        DnsblListings {
            listings = List.copyOf(listings);
        }
    }

    public SessionVerdicts {
        dnsbl = List.copyOf(dnsbl);
        spf = spf == null ? Optional.empty() : spf;
    }

    public static SessionVerdicts none() {
        return new SessionVerdicts(List.of(), Optional.empty());
    }

    public static SessionVerdicts of(SMTPSession session) {
        return new SessionVerdicts(
            session.getAttachment(DNSBL, State.Connection).map(DnsblListings::listings).orElse(List.of()),
            session.getAttachment(SPF, State.Transaction));
    }

    /** Whether any block list (even a scoring one) lists the client. */
    public boolean listed() {
        return !dnsbl.isEmpty();
    }
}
