package org.mailroom.smtp;

import java.util.Set;

import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataCmdHandler;
import org.mailroom.smtp.policy.SpfCheck;

import io.netty.buffer.ByteBuf;

/**
 * Which input line of a session may block (a commit, a database or DNS query, a password check) and is therefore
 * handled on a worker thread; every other line is handled on the connection's I/O thread ({@link SessionDispatcher}).
 *
 * <p>It follows the handler chain of {@link MailroomSmtpServer#handlers}, and has to change with it:
 * <ul>
 * <li>On the I/O thread: EHLO, HELO, DATA (James's command answers 354 and pushes the line handler), RSET, NOOP,
 *     QUIT, HELP, VRFY, EXPN (James's fixed answers), STARTTLS (the TLS handler is added on the I/O thread anyway),
 *     every line of a message's data but the last (the CRLF guard, the size count and the append to the
 *     {@code SpooledEnvelope}: memory, past 256 KiB buffered writes to a spool file, never a sync), and MAIL FROM when
 *     no MAIL hook can wait: on the MX listener, when SPF is off or {@link SpfCheck#queriesDns} skips the client.</li>
 * <li>On a worker: the last line of a message (the message hooks: the sorter and the commit before 250), RCPT
 *     (the recipient's lookup in the database, DNSBL queries), MAIL FROM on submission (the sender's aliases) or with
 *     SPF queries, AUTH and its continuation lines (the password check), any other command (a handler added later
 *     is on the safe side until listed here) and any line a pushed line handler other than DATA's reads.</li>
 * </ul>
 */
final class BlockingInput {

    /** Commands whose handlers and hooks in this chain only compute and answer. */
    private static final Set<String> NON_BLOCKING_COMMANDS =
        Set.of("EHLO", "HELO", "DATA", "RSET", "NOOP", "QUIT", "HELP", "VRFY", "EXPN", "STARTTLS");
    /** Longest verb worth reading: STARTTLS. */
    private static final int MAX_VERB = 8;

    private final boolean mailHooksMayBlock;
    private final boolean spf;
    private final boolean lookupLocalClients;

    private BlockingInput(boolean mailHooksMayBlock, boolean spf, boolean lookupLocalClients) {
        this.mailHooksMayBlock = mailHooksMayBlock;
        this.spf = spf;
        this.lookupLocalClients = lookupLocalClients;
    }

    static BlockingInput of(MailroomSmtpServer.Settings settings) {
        boolean submission = settings.mode() != MailroomSmtpServer.Mode.INBOUND;
        // Submission's SenderPolicy reads the user's aliases; the MX listener's SpfCheck is the only MAIL hook there
        // that can wait (MessageSizeLimit compares numbers).
        return new BlockingInput(submission, !submission && settings.dnsChecks().spf(),
            settings.dnsChecks().lookupLocalClients());
    }

    /**
     * @param line       one framed line, CRLF included; not consumed
     * @param lineHandlerPushed whether a handler pushed by a command (DATA's, AUTH's) reads this line
     */
    boolean blocks(SMTPSession session, ByteBuf line, boolean lineHandlerPushed) {
        if (session == null) {
            return true;
        }
        if (lineHandlerPushed) {
            return !inMessageData(session) || lastLineOfData(line);
        }
        String verb = verb(line);
        if (verb.equals("MAIL")) {
            return mailHooksMayBlock || (spf && SpfCheck.queriesDns(session, lookupLocalClients));
        }
        return !NON_BLOCKING_COMMANDS.contains(verb);
    }

    /** DATA's envelope is in the transaction from the 354 until the message's reply. */
    private static boolean inMessageData(SMTPSession session) {
        return session.getAttachment(DataCmdHandler.MAILENV, State.Transaction).isPresent();
    }

    /**
     * The end of data, "." and its line end, in whatever form a client sends it (a bare LF or CR form is refused by
     * the CRLF guard, on a worker like the real one): a dot-stuffed line is longer.
     */
    private static boolean lastLineOfData(ByteBuf line) {
        return line.readableBytes() <= 3 && line.readableBytes() > 0 && line.getByte(line.readerIndex()) == '.';
    }

    /** The first word of the line, upper case ASCII; "" for anything that is no command word. */
    private static String verb(ByteBuf line) {
        int start = line.readerIndex();
        int end = Math.min(line.writerIndex(), start + MAX_VERB + 1);
        char[] verb = new char[MAX_VERB];
        int length = 0;
        for (int i = start; i < end; i++) {
            byte b = line.getByte(i);
            if (b == ' ' || b == '\r' || b == '\n') {
                break;
            }
            if (length == MAX_VERB || b < 'A' || (b > 'Z' && b < 'a') || b > 'z') {
                return "";
            }
            verb[length++] = (char) (b & ~0x20);
        }
        return new String(verb, 0, length);
    }
}
