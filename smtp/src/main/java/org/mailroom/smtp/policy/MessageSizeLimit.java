package org.mailroom.smtp.policy;

import java.util.List;

import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataLineFilter;
import org.apache.james.protocols.smtp.core.esmtp.EhloExtension;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailParametersHook;
import org.mailroom.smtp.SmtpReplies;

/**
 * Refuses messages larger than the configured maximum with 552 5.3.4: up front when MAIL FROM declares a larger
 * {@code SIZE=}, else when DATA ends (the excess is read and dropped, never buffered). Announces {@code SIZE n}.
 *
 * <p>Replaces James's {@code MailSizeEsmtpExtension}, whose DATA refusal lacks the enhanced status code and whose
 * byte count is an {@code int}.
 */
public final class MessageSizeLimit implements MailParametersHook, EhloExtension, DataLineFilter {

    private static final AttachmentKey<Count> RECEIVED = AttachmentKey.of("mailroom.size.received", Count.class);

    /**
     * The bytes of this transaction's DATA so far: one mutable counter per transaction, so a line costs one lookup
     * instead of a lookup, a boxed Long and a second lookup (this runs for every line of every message).
     */
    private static final class Count {
        long bytes;
        boolean exceeded;
    }

    private final long maxBytes;

    public MessageSizeLimit(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maximum message size must be positive: " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    private HookResult tooLarge() {
        return SmtpReplies.deny("552", "5.3.4 Message size exceeds fixed maximum message size of " + maxBytes + " bytes");
    }

    @Override
    public String[] getMailParamNames() {
        return new String[] {"SIZE"};
    }

    @Override
    public HookResult doMailParameter(SMTPSession session, String name, String value) {
        long declared;
        try {
            declared = Long.parseLong(value);
        } catch (NumberFormatException e) {
            return SmtpReplies.deny("501", "5.5.4 Syntactically incorrect value for SIZE parameter");
        }
        return declared > maxBytes ? tooLarge() : HookResult.DECLINED;
    }

    @Override
    public List<String> getImplementedEsmtpFeatures(SMTPSession session) {
        return List.of("SIZE " + maxBytes);
    }

    @Override
    public Response onLine(SMTPSession session, byte[] line, LineHandler<SMTPSession> next) {
        Count count = session.getAttachment(RECEIVED, State.Transaction).orElse(null);
        if (count == null) {
            count = new Count();
            session.setAttachment(RECEIVED, count, State.Transaction);
        }
        if (isEndOfData(line)) {
            if (!count.exceeded) {
                return next.onLine(session, line);
            }
            session.popLineHandler();
            session.resetState();
            HookResult refusal = tooLarge();
            return new SMTPResponse(refusal.getSmtpRetCode(), refusal.getSmtpDescription());
        }
        if (count.exceeded) {
            return null;
        }
        count.bytes += line.length;
        if (count.bytes > maxBytes) {
            count.exceeded = true;
            return null;
        }
        return next.onLine(session, line);
    }

    private static boolean isEndOfData(byte[] line) {
        return line.length == 3 && line[0] == '.' && line[1] == '\r' && line[2] == '\n';
    }
}
