package org.mailroom.smtp.delivery;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.mail.Flags;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxExistsException;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Content;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MessageHook;
import org.mailroom.smtp.SmtpReplies;
import org.mailroom.smtp.policy.DnsblResult;
import org.mailroom.smtp.policy.SessionVerdicts;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.storage.mailbox.MessageTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers an accepted message into the mailbox of every local recipient and answers DATA: 250 only once every copy
 * is committed, 451 4.3.0 (and no copy left behind) when any append fails.
 *
 * <p>All or nothing: James's MessageHook answers once for the whole message, so per-recipient replies are not
 * possible here; instead copies already appended are deleted again when a later one fails, and the client retries
 * the whole message. Limit: a crash between two appends, or a failing compensation delete, can leave a copy behind
 * that a retry duplicates — a single transaction across mailboxes would need storage support.
 *
 * <p>Storage work runs on a bounded pool: at most {@code threads} appends run at once, at most {@code queue}
 * messages wait, and beyond that the client gets 451 4.3.0 (try later) instead of piling up. The Netty thread that
 * called the hook waits for the result, because James writes the DATA reply when the hook returns.
 */
public final class LocalDelivery implements MessageHook, AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(LocalDelivery.class);
    private static final HookResult STORAGE_FAILED =
        SmtpReplies.denySoft("451", "4.3.0 Message could not be stored; please try again later");
    private static final HookResult BUSY =
        SmtpReplies.denySoft("451", "4.3.0 Server busy storing mail; please try again later");

    private final MailboxManager mailboxManager;
    private final LocalRecipients recipients;
    private final RecipientSorting sorting;
    private final Clock clock;
    private final ThreadPoolExecutor executor;

    public LocalDelivery(MailboxManager mailboxManager, LocalRecipients recipients, RecipientSorting sorting,
                         Clock clock, int threads, int queue) {
        this.mailboxManager = Objects.requireNonNull(mailboxManager, "mailboxManager");
        this.recipients = Objects.requireNonNull(recipients, "recipients");
        this.sorting = Objects.requireNonNull(sorting, "sorting");
        this.clock = Objects.requireNonNull(clock, "clock");
        AtomicInteger count = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
            runnable -> {
                Thread thread = new Thread(runnable, "mailroom-delivery-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            },
            new ThreadPoolExecutor.AbortPolicy());
    }

    @Override
    public HookResult onMessage(SMTPSession session, MailEnvelope envelope) {
        Set<String> users = new LinkedHashSet<>();
        for (MailAddress rcpt : envelope.getRecipients()) {
            users.addAll(recipients.resolve(rcpt.getLocalPart(), rcpt.getDomain().asString()));
        }
        if (users.isEmpty()) {
            return SmtpReplies.deny("554", "5.1.1 No deliverable recipients");
        }
        try {
            return deliverAll(session, envelope, users);
        } finally {
            if (envelope instanceof SpooledEnvelope spooled) {
                spooled.close();
            }
        }
    }

    private HookResult deliverAll(SMTPSession session, MailEnvelope envelope, Set<String> users) {
        SessionVerdicts verdicts = SessionVerdicts.of(session);
        SessionFacts facts = factsOf(session, verdicts);
        Optional<String> mailFrom = envelope.getMaybeSender().asOptional().map(MailAddress::asString);
        byte[] header = traceHeaders(session, envelope, verdicts);
        Future<?> delivery;
        try {
            delivery = executor.submit(() -> {
                RecipientSorting.Prepared prepared = sorting.prepare(() -> withHeader(header, envelope, new byte[0])
                    .getInputStream(), header.length + envelope.getSize(), mailFrom, facts, verdicts);
                deliver(users, envelope, header, prepared);
                return null;
            });
        } catch (RejectedExecutionException e) {
            LOGGER.warn("session {}: delivery queue full, deferring message", session.getSessionID());
            return BUSY;
        }
        try {
            delivery.get();
            LOGGER.info("session {}: delivered {} bytes to {}", session.getSessionID(), envelope.getSize(), users);
            return SmtpReplies.ok("250", "2.6.0 Message accepted for delivery");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return STORAGE_FAILED;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MessageTooLargeException) {
                return SmtpReplies.deny("552", "5.3.4 Message too large for the mailbox store");
            }
            LOGGER.error("session {}: delivery to {} failed, nothing kept", session.getSessionID(), users, e.getCause());
            return STORAGE_FAILED;
        }
    }

    /**
     * Received-SPF (when SPF was evaluated; RFC 7208 9.1 puts it above our Received), then our Received header:
     * the same for every recipient.
     */
    private byte[] traceHeaders(SMTPSession session, MailEnvelope envelope, SessionVerdicts verdicts) {
        byte[] received = ReceivedHeader.of(session, envelope.getRecipients(), ZonedDateTime.now(clock));
        byte[] spf = verdicts.spf()
            .map(result -> ReceivedSpfHeader.of(result, session.getConfiguration().getHelloName()))
            .orElse(new byte[0]);
        byte[] header = new byte[spf.length + received.length];
        System.arraycopy(spf, 0, header, 0, spf.length);
        System.arraycopy(received, 0, header, spf.length, received.length);
        return header;
    }

    /**
     * One recipient's copy as stored: the trace headers, that recipient's {@code X-Mailroom-Sort} header, then the
     * bytes as received, re-readable.
     */
    private static Content withHeader(byte[] trace, MailEnvelope envelope, byte[] sortHeader) {
        byte[] header = new byte[trace.length + sortHeader.length];
        System.arraycopy(trace, 0, header, 0, trace.length);
        System.arraycopy(sortHeader, 0, header, trace.length, sortHeader.length);
        return new Content() {
            @Override
            public InputStream getInputStream() throws IOException {
                return new SequenceInputStream(new ByteArrayInputStream(header), envelope.getMessageInputStream());
            }

            @Override
            public long size() {
                return header.length + envelope.getSize();
            }
        };
    }

    /** What the sorter may know about the session, free of SMTP library types. */
    private static SessionFacts factsOf(SMTPSession session, SessionVerdicts verdicts) {
        return new SessionFacts(
            Optional.ofNullable(session.getRemoteAddress()).map(a -> a.getAddress().getHostAddress()),
            session.getAttachment(SMTPSession.CURRENT_HELO_NAME, State.Connection),
            session.isTLSStarted(), session.getUsername() != null,
            verdicts.dnsbl().stream().map(DnsblResult::zone).toList(),
            verdicts.spf().map(spf -> spf.result().keyword()));
    }

    private record Appended(MessageManager mailbox, MailboxSession session, MessageUid uid) {
    }

    private void deliver(Set<String> users, MailEnvelope envelope, byte[] trace, RecipientSorting.Prepared prepared)
        throws Exception {
        List<Appended> done = new ArrayList<>();
        try {
            for (String user : users) {
                done.add(append(user, envelope, trace, prepared.place(user)));
            }
        } catch (Exception failure) {
            for (Appended copy : done) {
                try {
                    copy.mailbox().delete(List.of(copy.uid()), copy.session());
                } catch (MailboxException e) {
                    failure.addSuppressed(e);
                    LOGGER.error("could not remove partial copy uid {} after a failed delivery", copy.uid(), e);
                }
            }
            throw failure;
        } finally {
            for (Appended copy : done) {
                mailboxManager.endProcessingRequest(copy.session());
            }
        }
    }

    private Appended append(String user, MailEnvelope envelope, byte[] trace, Placement placement)
        throws MailboxException {
        MailboxSession session = mailboxManager.createSystemSession(Username.of(user));
        MessageManager mailbox;
        try {
            mailbox = folder(user, placement.folder(), session);
        } catch (MailboxException refused) {
            // A folder named by a user rule that the store refuses (bad name, quota...) must not bounce the mail.
            if ("INBOX".equalsIgnoreCase(placement.folder())) {
                throw refused;
            }
            LOGGER.warn("folder '{}' of {} unusable ({}); delivering to INBOX", placement.folder(), user,
                refused.getMessage());
            mailbox = folder(user, "INBOX", session);
        }
        Flags flags = new Flags();
        placement.keywords().forEach(flags::add);
        MessageManager.AppendResult result = mailbox.appendMessage(MessageManager.AppendCommand.builder()
            .recent()
            .delivery()
            .withFlags(flags)
            .withInternalDate(Date.from(clock.instant()))
            .build(withHeader(trace, envelope, placement.traceHeader())), session);
        return new Appended(mailbox, session, result.getId().getUid());
    }

    /** The user's folder, created when missing (Priority and Spam exist from the start, rule folders may not). */
    private MessageManager folder(String user, String name, MailboxSession session) throws MailboxException {
        MailboxPath path = MailboxPath.forUser(Username.of(user), name);
        if (!Boolean.TRUE.equals(reactor.core.publisher.Mono.from(mailboxManager.mailboxExists(path, session)).block())) {
            try {
                mailboxManager.createMailbox(path, session);
            } catch (MailboxExistsException raced) {
                // Another delivery created it first: fine.
            }
        }
        return mailboxManager.getMailbox(path, session);
    }

    /** Stops taking deliveries and waits briefly for those in progress. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
