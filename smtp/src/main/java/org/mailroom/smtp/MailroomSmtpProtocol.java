package org.mailroom.smtp;

import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolTransport;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.ProtocolHandlerChain;
import org.apache.james.protocols.smtp.SMTPConfiguration;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSessionImpl;
import org.apache.james.protocols.smtp.SMTPProtocol;
import org.apache.james.protocols.smtp.core.DataCmdHandler;

/**
 * James's SMTP protocol with one correction: a line longer than the framer's limit inside DATA closes the
 * connection. James 3.8.1 drops the over-long line, answers "500 Line length exceeded" in the middle of DATA and
 * then accepts the rest of the message with 250 — a silently truncated message and a client whose replies are off
 * by one. Over-long command lines still get a plain 500.
 */
final class MailroomSmtpProtocol extends SMTPProtocol {

    private static final Response COMMAND_TOO_LONG =
        new SMTPResponse("500", "5.5.2 Line too long").immutable();

    MailroomSmtpProtocol(ProtocolHandlerChain chain, SMTPConfiguration configuration) {
        super(chain, configuration);
    }

    @Override
    public ProtocolSession newSession(ProtocolTransport transport) {
        return new SMTPSessionImpl(transport, (SMTPConfiguration) getConfiguration()) {
            @Override
            public Response newLineTooLongResponse() {
                if (getAttachment(DataCmdHandler.MAILENV, State.Transaction).isEmpty()) {
                    return COMMAND_TOO_LONG;
                }
                SMTPResponse refusal = new SMTPResponse("500",
                    "5.5.6 Line too long in message data; message refused, closing connection");
                refusal.setEndSession(true);
                return refusal;
            }
        };
    }
}
