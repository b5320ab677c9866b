package org.mailroom.smtp.policy;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.mailroom.smtp.SmtpReplies;

/** Refuses recipients beyond the per-message maximum with 452 4.5.3, so the client sends the rest in another transaction. */
public final class RecipientLimit implements RcptHook {

    private final int maxRecipients;

    public RecipientLimit(int maxRecipients) {
        if (maxRecipients < 1) {
            throw new IllegalArgumentException("maximum recipients must be at least 1: " + maxRecipients);
        }
        this.maxRecipients = maxRecipients;
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        return session.getRcptCount() >= maxRecipients
            ? SmtpReplies.denySoft("452", "4.5.3 Too many recipients (at most " + maxRecipients + " per message)")
            : HookResult.DECLINED;
    }
}
