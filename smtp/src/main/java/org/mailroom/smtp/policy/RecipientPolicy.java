package org.mailroom.smtp.policy;

import java.util.Objects;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.mailroom.smtp.SmtpReplies;
import org.mailroom.smtp.delivery.LocalRecipients;

/**
 * Decides whether a recipient is accepted: local addresses must reach a user (else 550 5.1.1); other domains are
 * relaying, refused with 550 5.7.1 unless the client authenticated (then, until the outbound queue exists,
 * 451 4.3.2).
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

    public RecipientPolicy(LocalRecipients recipients) {
        this.recipients = Objects.requireNonNull(recipients, "recipients");
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        String localPart = rcpt.getLocalPart();
        String domain = LocalRecipients.normalisedDomain(rcpt.getDomain().asString());
        if (recipients.isServerPostmaster(localPart, domain)) {
            return recipients.resolve(localPart, domain).isEmpty()
                ? SmtpReplies.deny("550", "5.1.1 <postmaster>: no postmaster configured")
                : SmtpReplies.ok("250", "2.1.5 Recipient <postmaster> OK");
        }
        if (!recipients.isLocalDomain(domain)) {
            return session.getUsername() == null ? RELAYING_DENIED : OUTBOUND_NOT_AVAILABLE;
        }
        if (hasRoutingSyntax(localPart)) {
            return RELAYING_DENIED;
        }
        if (recipients.resolve(localPart, domain).isEmpty()) {
            return SmtpReplies.deny("550", "5.1.1 <" + localPart + "@" + domain + ">: no such user here");
        }
        return SmtpReplies.ok("250", "2.1.5 Recipient <" + localPart + "@" + domain + "> OK");
    }

    static boolean hasRoutingSyntax(String localPart) {
        return localPart.indexOf('%') >= 0 || localPart.indexOf('!') >= 0 || localPart.indexOf('@') >= 0
            || localPart.startsWith("\"");
    }
}
