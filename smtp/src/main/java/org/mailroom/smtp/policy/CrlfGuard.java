package org.mailroom.smtp.policy;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataLineFilter;

/**
 * Closes the connection when a DATA line does not end in CRLF or holds a bare CR: the SMTP smuggling defence.
 *
 * <p>James 3.8.1's line framing ends DATA on {@code <LF>.<CR><LF>}, and other MTAs end it on yet other sequences, so
 * a message carrying {@code \n.\r\n}, {@code \n.\n}, {@code \r.\r\n} or {@code \r\n.\r} could make a second,
 * forged message appear to one of them. Rejecting any line that is not exactly {@code text CRLF} (no CR or LF
 * elsewhere) removes every such ambiguity. Must be the first data line filter in the chain.
 */
public final class CrlfGuard implements DataLineFilter {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    @Override
    public Response onLine(SMTPSession session, byte[] line, LineHandler<SMTPSession> next) {
        if (endsInCrlfOnly(line)) {
            return next.onLine(session, line);
        }
        session.popLineHandler();
        session.resetState();
        SMTPResponse refusal = new SMTPResponse("500",
            "5.5.2 Bare CR or LF in message data is not allowed (lines must end in CRLF); closing connection");
        refusal.setEndSession(true);
        return refusal;
    }

    static boolean endsInCrlfOnly(byte[] line) {
        int n = line.length;
        if (n < 2 || line[n - 2] != CR || line[n - 1] != LF) {
            return false;
        }
        for (int i = 0; i < n - 2; i++) {
            if (line[i] == CR || line[i] == LF) {
                return false;
            }
        }
        return true;
    }
}
