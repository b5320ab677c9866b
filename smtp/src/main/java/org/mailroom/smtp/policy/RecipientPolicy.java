package org.mailroom.smtp.policy;

import java.util.Objects;
import java.util.Set;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.mailroom.smtp.SmtpReplies;
import org.mailroom.smtp.delivery.LocalRecipients;
import org.mailroom.smtp.delivery.ResolvedRecipients;

/**
 * Decides whether a recipient is accepted: local addresses must reach a user (else 550 5.1.1); other domains are
 * relaying, refused with 550 5.7.1 unless the client authenticated (submission); then they are accepted for the
 * outbound queue, or answered 451 4.3.2 where no queue is available.
 *
 * <p>No routing syntax is ever honoured: a local part holding {@code %}, {@code !} or {@code @} (the {@code %}-hack,
 * UUCP bang paths, quoted addresses) is refused as relaying even in a local domain, a trailing dot is dropped before
 * the domain is compared, and an IP literal is never a local domain. James already strips source routes
 * ({@code @a:b@c} becomes {@code b@c}), so the final domain is the one judged.
 */
public final class RecipientPolicy implements RcptHook {

    private static final HookResult RELAYING_DENIED = SmtpReplies.deny("550", "5.7.1 Relaying denied");
    private static final HookResult OUTBOUND_NOT_AVAILABLE =
        SmtpReplies.denySoft("451", "4.3.2 Outbound delivery not available yet; only local recipients are accepted");

    private final LocalRecipients recipients;
    private final boolean outboundAvailable;

    /** Without an outbound queue: authenticated clients get 451 4.3.2 for remote recipients. */
    public RecipientPolicy(LocalRecipients recipients) {
        this(recipients, false);
    }

    public RecipientPolicy(LocalRecipients recipients, boolean outboundAvailable) {
        this.recipients = Objects.requireNonNull(recipients, "recipients");
        this.outboundAvailable = outboundAvailable;
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        String localPart = rcpt.getLocalPart();
        String domain = LocalRecipients.normalisedDomain(rcpt.getDomain().asString());
        if (recipients.isServerPostmaster(localPart, domain)) {
            Set<String> users = recipients.resolve(localPart, domain);
            if (users.isEmpty()) {
                return SmtpReplies.deny("550", "5.1.1 <postmaster>: no postmaster configured");
            }
            ResolvedRecipients.local(session, rcpt, users);
            return SmtpReplies.ok("250", "2.1.5 Recipient <postmaster> OK");
        }
        if (!recipients.isLocalDomain(domain)) {
            if (session.getUsername() == null) {
                return RELAYING_DENIED;
            }
            if (!outboundAvailable) {
                return OUTBOUND_NOT_AVAILABLE;
            }
            // Routing syntax is refused here too: the remote host might honour what we would not.
            if (hasRoutingSyntax(localPart) || domain.startsWith("[")) {
                return SmtpReplies.deny("553", "5.1.3 <" + localPart + "@" + domain
                    + ">: routing syntax and address literals are not accepted for outbound mail");
            }
            ResolvedRecipients.remote(session, rcpt);
            return SmtpReplies.ok("250", "2.1.5 Recipient <" + localPart + "@" + domain + "> OK, queued for delivery");
        }
        if (hasRoutingSyntax(localPart)) {
            return RELAYING_DENIED;
        }
        Set<String> users = recipients.resolve(localPart, domain);
        if (users.isEmpty()) {
            return SmtpReplies.deny("550", "5.1.1 <" + localPart + "@" + domain + ">: no such user here");
        }
        // Delivery reuses this answer at the end of DATA instead of asking the store again.
        ResolvedRecipients.local(session, rcpt, users);
        return SmtpReplies.ok("250", "2.1.5 Recipient <" + localPart + "@" + domain + "> OK");
    }

    static boolean hasRoutingSyntax(String localPart) {
        return localPart.indexOf('%') >= 0 || localPart.indexOf('!') >= 0 || localPart.indexOf('@') >= 0
            || localPart.startsWith("\"");
    }
}
