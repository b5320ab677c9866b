package org.mailroom.smtp;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.MailCmdHandler;

/**
 * James's MAIL command, except that a MAIL inside an open transaction is refused without touching it.
 *
 * <p>James 3.8.1 answers a nested MAIL with 503 and then, like after any refused MAIL, drops the sender while
 * leaving the accepted recipients in the transaction: the open transaction was lost (its RCPTs and DATA got 503),
 * and the recipients of the lost one were delivered along with the next transaction's after a later MAIL.
 * RFC 5321 (3.3, 4.1.4) wants a refused command to leave the state as it was, as Postfix does ("nested MAIL").
 */
public final class NestedMailKeepsTransaction extends MailCmdHandler {

    static final Response NESTED_MAIL = new SMTPResponse(SMTPRetCode.BAD_SEQUENCE,
        "5.5.1 Nested MAIL command: a transaction is already open (RSET ends it)").immutable();

    public NestedMailKeepsTransaction(MetricFactory metrics) {
        super(metrics);
    }

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (session.getAttachment(SMTPSession.SENDER, State.Transaction).isPresent()) {
            return NESTED_MAIL;
        }
        return super.onCommand(session, request);
    }
}
