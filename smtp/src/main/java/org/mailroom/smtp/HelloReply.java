package org.mailroom.smtp;

import java.util.List;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.HeloCmdHandler;
import org.apache.james.protocols.smtp.core.esmtp.EhloCmdHandler;

/**
 * James 3.8.1 greets EHLO and HELO with {@code 250 host Hello name [1.2.3.4])}: a closing parenthesis without an
 * opening one, the first line every client and peer sees (and every transcript an administrator reads). These
 * command handlers are James's with that parenthesis removed; nothing else of the reply changes.
 */
final class HelloReply {

    private HelloReply() {
    }

    /** James's EHLO, greeting tidied. */
    static final class Ehlo extends EhloCmdHandler {
        Ehlo(MetricFactory metrics) {
            super(metrics);
        }

        @Override
        protected Response doCoreCmd(SMTPSession session, String command, String parameters) {
            return tidy(super.doCoreCmd(session, command, parameters));
        }
    }

    /** James's HELO, greeting tidied. */
    static final class Helo extends HeloCmdHandler {
        Helo(MetricFactory metrics) {
            super(metrics);
        }

        @Override
        protected Response doCoreCmd(SMTPSession session, String command, String parameters) {
            return tidy(super.doCoreCmd(session, command, parameters));
        }
    }

    /** The same reply without the stray parenthesis ending its first line; any other reply as it is. */
    static Response tidy(Response response) {
        if (!(response instanceof SMTPResponse reply) || !"250".equals(reply.getRetCode())) {
            return response;
        }
        List<CharSequence> lines = reply.getLines();
        // getLines() formats each line with the code and its separator ("250-" or "250 "): four characters.
        String first = lines.get(0).toString().substring(4);
        if (!first.endsWith("])")) {
            return response;
        }
        SMTPResponse tidied = new SMTPResponse(reply.getRetCode(), first.substring(0, first.length() - 1));
        for (CharSequence line : lines.subList(1, lines.size())) {
            tidied.appendLine(line.toString().substring(4));
        }
        tidied.setEndSession(reply.isEndSession());
        return tidied;
    }
}
