package org.mailroom.smtp;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.RcptCmdHandler;
import org.mailroom.smtp.policy.MailParameters;

/**
 * James's RCPT command, except that a parameter no extension announced (DSN's {@code NOTIFY} and {@code ORCPT}:
 * DSN is not offered) gets {@code 555 5.5.4} as RFC 5321 4.1.1.11 asks, like MAIL's ({@link MailParameters}).
 * James answered {@code 504} without the enhanced status code that ENHANCEDSTATUSCODES promises on every reply.
 */
public final class MailroomRcptCmdHandler extends RcptCmdHandler {

    public MailroomRcptCmdHandler(MetricFactory metrics) {
        super(metrics);
    }

    @Override
    protected Response doFilterChecks(SMTPSession session, String command, String parameters) {
        Response james = super.doFilterChecks(session, command, parameters);
        if (james != null && "504".equals(james.getRetCode())) {
            return new SMTPResponse("555", "5.5.4 Unsupported RCPT parameter "
                + MailParameters.names(parameters).stream().findFirst().orElse(""));
        }
        return james;
    }
}
