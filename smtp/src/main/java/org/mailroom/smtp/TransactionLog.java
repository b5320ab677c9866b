package org.mailroom.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

import org.apache.james.core.MailAddress;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.Hook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookResultHook;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MessageHook;
import org.mailroom.smtp.delivery.DeliveryOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per SMTP transaction that reached the end of DATA, and the {@link SmtpObserver} calls (messages
 * answered, DATA-to-reply time; refused AUTH is counted by {@link org.mailroom.smtp.submission.ObservedAuth}).
 *
 * <p>Two roles in James's chain: as the first {@link MessageHook} it notes the facts of the message (Message-ID,
 * sender, recipient count, size) while the spooled envelope can still be read, and declines; as a
 * {@link HookResultHook} it sees the reply the delivery hook gave, with its execution time, and writes the line:
 * <pre>smtp mx session=3f2a1c client=192.0.2.7 message-id=&lt;a@b&gt; from=&lt;x@y&gt; rcpts=2 size=1234 result=accepted reply="250 2.6.0 ..." took=12ms delivered=[a@example.org,b@example.org] queued=12</pre>
 * {@code delivered} (the local users whose mailboxes hold a copy) and {@code queued} (the outbound queue row for the
 * remote recipients) appear when the delivery committed them ({@link DeliveryOutcome}). This is the only INFO line
 * per message: James's own "Connection established/closed" lines are turned down in logback.xml, and the client
 * address they carried is here, next to the session id that joins it to everything else about the message.
 * Never logged: AUTH payloads, passwords, message content other than the Message-ID.
 */
public final class TransactionLog implements MessageHook, HookResultHook {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionLog.class);
    private static final AttachmentKey<Facts> FACTS = AttachmentKey.of("mailroom.transaction.facts", Facts.class);

    private final MailroomSmtpServer.Mode listener;
    private final String listenerName;
    private final SmtpObserver observer;

    public TransactionLog(MailroomSmtpServer.Mode listener, SmtpObserver observer) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.listenerName = listenerName(listener);
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    /** "mx" for the inbound listener, "submission" for both submission ports. */
    public static String listenerName(MailroomSmtpServer.Mode mode) {
        return mode == MailroomSmtpServer.Mode.INBOUND ? "mx" : "submission";
    }

    /** What the line says about the message, taken before delivery closes the spooled envelope. */
    record Facts(String messageId, String sender, int recipients, long size) {
    }

    @Override
    public HookResult onMessage(SMTPSession session, MailEnvelope envelope) {
        String messageId;
        try (InputStream in = envelope.getMessageInputStream()) {
            messageId = MessageIdHeader.of(in);
        } catch (IOException | RuntimeException e) {
            messageId = MessageIdHeader.NONE;
        }
        String sender = envelope.getMaybeSender().asOptional().map(MailAddress::asString).orElse("");
        session.setAttachment(FACTS, new Facts(messageId, MessageIdHeader.safe("<" + sender + ">"),
            envelope.getRecipients().size(), envelope.getSize()), State.Transaction);
        return HookResult.DECLINED;
    }

    @Override
    public HookResult onHookResult(SMTPSession session, HookResult result, long executionTime, Hook hook) {
        try {
            HookReturnCode.Action action = result.getResult().getAction();
            if (hook instanceof MessageHook && hook != this && action != HookReturnCode.Action.DECLINED) {
                messageAnswered(session, result, action, executionTime);
            }
        } catch (RuntimeException e) {
            // Logging and metrics must never change the answer the client gets.
            LOG.warn("session {}: transaction not logged: {}", session.getSessionID(), e.toString());
        }
        return result;
    }

    private void messageAnswered(SMTPSession session, HookResult result, HookReturnCode.Action action, long millis) {
        int code = replyCode(result, action);
        boolean accepted = code >= 200 && code < 300;
        Facts facts = session.getAttachment(FACTS, State.Transaction)
            .orElse(new Facts(MessageIdHeader.NONE, "<>", 0, -1));
        String reply = code + (result.getSmtpDescription() == null ? "" : " " + result.getSmtpDescription());
        if (LOG.isInfoEnabled()) {
            LOG.info("smtp {} session={} client={} message-id={} from={} rcpts={} size={} result={} reply=\"{}\""
                    + " took={}ms{}", listenerName, session.getSessionID(), client(session), facts.messageId(),
                facts.sender(), facts.recipients(), facts.size(),
                accepted ? "accepted" : code >= 500 ? "rejected" : "deferred", reply, millis,
                DeliveryOutcome.of(session).map(TransactionLog::destinations).orElse(""));
        }
        observer.messageAnswered(listener, accepted, code, Duration.ofMillis(millis));
    }

    private static String client(SMTPSession session) {
        InetSocketAddress remote = session.getRemoteAddress();
        return remote == null || remote.getAddress() == null ? "unknown" : remote.getAddress().getHostAddress();
    }

    /** " delivered=[a,b] queued=N": addresses are what RCPT accepted, so they hold no spaces or line breaks. */
    private static String destinations(DeliveryOutcome outcome) {
        StringBuilder out = new StringBuilder();
        if (!outcome.users().isEmpty()) {
            out.append(" delivered=[").append(String.join(",", outcome.users())).append(']');
        }
        outcome.queueId().ifPresent(id -> out.append(" queued=").append(id));
        return out.toString();
    }

    /** The code the client gets: the hook's own, else James's default for the action. */
    private static int replyCode(HookResult result, HookReturnCode.Action action) {
        String own = result.getSmtpRetCode();
        if (own != null) {
            try {
                return Integer.parseInt(own.trim());
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
        }
        return switch (action) {
            case OK -> 250;
            case DENY -> 554;
            default -> 451;
        };
    }
}
