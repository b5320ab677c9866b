package org.mailroom.smtp.policy;

import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataLineFilter;

/**
 * The SMTP smuggling defence, the first data line filter in the chain.
 *
 * <p>James 3.8.1's line framing ends DATA on {@code <LF>.<CR><LF>}, and other MTAs end it on yet other sequences, so
 * a message carrying {@code \n.\r\n}, {@code \n.\n}, {@code \r.\r\n} or {@code \r\n.\r} could make a second,
 * forged message appear to one of them.
 *
 * <p>From unauthenticated clients (the MX) any line that is not exactly {@code text CRLF} (no CR or LF elsewhere)
 * closes the connection: that removes every such ambiguity. An authenticated submission client gets what Postfix's
 * {@code smtpd_forbid_bare_newline = normal} gives: a line ending in a bare LF is taken as ending in CRLF (curl
 * uploads a file with Unix line ends as it is, and scripts print {@code \n}), and DATA ends only on the standard
 * {@code <CR><LF>.<CR><LF>}: a dot line after a bare LF, or ending in a bare LF, is message text. Smuggled commands
 * then stay inside the message they were hidden in. A bare CR closes the connection in both cases.
 */
public final class CrlfGuard implements DataLineFilter {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    /** Set while the previous DATA line of an authenticated client ended in a bare LF. */
    private static final AttachmentKey<Boolean> AFTER_BARE_LF = AttachmentKey.of("mailroom.crlf.bareLf", Boolean.class);
    private static final byte[] STUFFED_DOT = {'.', '.', CR, LF};

    @Override
    public Response onLine(SMTPSession session, byte[] line, LineHandler<SMTPSession> next) {
        if (endsInCrlfOnly(line)) {
            if (session.getUsername() != null
                && session.removeAttachment(AFTER_BARE_LF, State.Transaction).isPresent() && isDot(line)) {
                // <LF>.<CR><LF> is no end of data here: a text line holding one dot (dot-stuffed for the next handler).
                return next.onLine(session, STUFFED_DOT);
            }
            return next.onLine(session, line);
        }
        if (session.getUsername() != null && endsInBareLfOnly(line)) {
            session.setAttachment(AFTER_BARE_LF, Boolean.TRUE, State.Transaction);
            byte[] crlf = new byte[line.length + 1];
            System.arraycopy(line, 0, crlf, 0, line.length - 1);
            crlf[line.length - 1] = CR;
            crlf[line.length] = LF;
            return next.onLine(session, isDot(crlf) ? STUFFED_DOT : crlf);
        }
        session.popLineHandler();
        session.resetState();
        SMTPResponse refusal = new SMTPResponse("500",
            "5.5.2 Bare CR or LF in message data is not allowed (lines must end in CRLF); closing connection");
        refusal.setEndSession(true);
        return refusal;
    }

    private static boolean isDot(byte[] line) {
        return line.length == 3 && line[0] == '.';
    }

    static boolean endsInCrlfOnly(byte[] line) {
        int n = line.length;
        if (n < 2 || line[n - 2] != CR || line[n - 1] != LF) {
            return false;
        }
        return noCrOrLfBefore(line, n - 2);
    }

    /** {@code text LF}, no CR anywhere. */
    static boolean endsInBareLfOnly(byte[] line) {
        int n = line.length;
        return n >= 1 && line[n - 1] == LF && noCrOrLfBefore(line, n - 1);
    }

    private static boolean noCrOrLfBefore(byte[] line, int end) {
        for (int i = 0; i < end; i++) {
            if (line[i] == CR || line[i] == LF) {
                return false;
            }
        }
        return true;
    }
}
