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

    private static final AttachmentKey<Long> RECEIVED = AttachmentKey.of("mailroom.size.received", Long.class);
    private static final AttachmentKey<Boolean> EXCEEDED = AttachmentKey.of("mailroom.size.exceeded", Boolean.class);

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
        boolean exceeded = session.getAttachment(EXCEEDED, State.Transaction).orElse(false);
        if (isEndOfData(line)) {
            if (!exceeded) {
                return next.onLine(session, line);
            }
            session.popLineHandler();
            session.resetState();
            HookResult refusal = tooLarge();
            return new SMTPResponse(refusal.getSmtpRetCode(), refusal.getSmtpDescription());
        }
        if (exceeded) {
            return null;
        }
        long received = session.getAttachment(RECEIVED, State.Transaction).orElse(0L) + line.length;
        session.setAttachment(RECEIVED, received, State.Transaction);
        if (received > maxBytes) {
            session.setAttachment(EXCEEDED, true, State.Transaction);
            return null;
        }
        return next.onLine(session, line);
    }

    private static boolean isEndOfData(byte[] line) {
        return line.length == 3 && line[0] == '.' && line[1] == '\r' && line[2] == '\n';
    }
}
