package org.mailroom.smtp.delivery;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import javax.mail.Flags;

import org.apache.james.core.MailAddress;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.OverQuotaException;
import org.apache.james.mailbox.model.Content;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MessageHook;
import org.mailroom.smtp.SmtpReplies;
import org.mailroom.smtp.outbound.Outbox;
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
 * <p>Storage work is bounded ({@link DeliveryGate}): at most {@code threads} deliveries run at once, at most
 * {@code queue} messages wait, and beyond that the client gets 451 4.3.0 (try later) instead of piling up. The
 * delivery runs on the thread that called the hook (the session's SMTP worker, never a Netty I/O thread), because
 * James writes the DATA reply when the hook returns: that thread has to wait for the commit in any case.
 */
public final class LocalDelivery implements MessageHook, AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(LocalDelivery.class);
    private static final HookResult STORAGE_FAILED =
        SmtpReplies.denySoft("451", "4.3.0 Message could not be stored; please try again later");
    private static final HookResult MAILBOX_FULL =
        SmtpReplies.denySoft("452", "4.2.2 Mailbox full: a recipient is over its quota; please try again later");
    private static final HookResult BUSY =
        SmtpReplies.denySoft("451", "4.3.0 Server busy storing mail; please try again later");

    private final LocalRecipients recipients;
    private final RecipientSorting sorting;
    private final Clock clock;
    private final DeliveryGate gate;
    private final Outbox outbox;
    private final MailboxAppender appender;
    private final SubmittedMailListener submitted;

    /** Local recipients only: remote recipients are refused at RCPT ({@link #acceptsRemote} is false). */
    public LocalDelivery(MailboxManager mailboxManager, LocalRecipients recipients, RecipientSorting sorting,
                         Clock clock, int threads, int queue) {
        this(mailboxManager, recipients, sorting, clock, threads, queue, null);
    }

    /** {@code outbox} takes the remote recipients of submitted mail; null = none (as the other constructor). */
    public LocalDelivery(MailboxManager mailboxManager, LocalRecipients recipients, RecipientSorting sorting,
                         Clock clock, int threads, int queue, Outbox outbox) {
        this(mailboxManager, recipients, sorting, clock, threads, queue, outbox, (user, rcpts, message, at) -> { });
    }

    /** {@code submitted} hears of every message accepted from an authenticated user (the sorter learns from it). */
    public LocalDelivery(MailboxManager mailboxManager, LocalRecipients recipients, RecipientSorting sorting,
                         Clock clock, int threads, int queue, Outbox outbox, SubmittedMailListener submitted) {
        this.outbox = outbox;
        this.submitted = Objects.requireNonNull(submitted, "submitted");
        this.appender = new MailboxAppender(mailboxManager, clock);
        this.recipients = Objects.requireNonNull(recipients, "recipients");
        this.sorting = Objects.requireNonNull(sorting, "sorting");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.gate = new DeliveryGate(threads, queue);
    }

    /** Whether remote recipients can be taken (an outbox exists), so the recipient policy may accept them. */
    public boolean acceptsRemote() {
        return outbox != null;
    }

    @Override
    public HookResult onMessage(SMTPSession session, MailEnvelope envelope) {
        Set<String> users = new LinkedHashSet<>();
        List<String> remote = new ArrayList<>();
        Optional<ResolvedRecipients> atRcpt = ResolvedRecipients.current(session);
        for (MailAddress rcpt : envelope.getRecipients()) {
            // What RCPT resolved (and answered the client with), else asked now (hooks called without RCPT).
            Optional<Set<String>> resolved = atRcpt.flatMap(known -> known.usersOf(rcpt));
            if (resolved.isPresent() ? resolved.get().isEmpty() : isRemote(rcpt)) {
                remote.add(rcpt.asString());
            } else {
                users.addAll(resolved.orElseGet(() ->
                    recipients.resolve(rcpt.getLocalPart(), rcpt.getDomain().asString())));
            }
        }
        if (!remote.isEmpty() && (outbox == null || session.getUsername() == null)) {
            // RecipientPolicy refuses these at RCPT; this is the second lock on the door of an open relay.
            LOGGER.error("session {}: remote recipients {} reached DATA without an authenticated outbox; refused",
                session.getSessionID(), remote);
            return SmtpReplies.deny("550", "5.7.1 Relaying denied");
        }
        if (users.isEmpty() && remote.isEmpty()) {
            return SmtpReplies.deny("554", "5.1.1 No deliverable recipients");
        }
        try {
            return deliverAll(session, envelope, users, remote);
        } finally {
            if (envelope instanceof SpooledEnvelope spooled) {
                spooled.close();
            }
        }
    }

    private boolean isRemote(MailAddress rcpt) {
        String domain = LocalRecipients.normalisedDomain(rcpt.getDomain().asString());
        return !recipients.isServerPostmaster(rcpt.getLocalPart(), domain) && !recipients.isLocalDomain(domain);
    }

    private HookResult deliverAll(SMTPSession session, MailEnvelope envelope, Set<String> users, List<String> remote) {
        SessionVerdicts verdicts = SessionVerdicts.of(session);
        SessionFacts facts = factsOf(session, verdicts);
        Optional<String> mailFrom = envelope.getMaybeSender().asOptional().map(MailAddress::asString);
        boolean authenticated = session.getUsername() != null;
        try {
            if (!gate.enter()) {
                LOGGER.warn("session {}: too many deliveries waiting, deferring message", session.getSessionID());
                return BUSY;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return STORAGE_FAILED;
        }
        long[] queueId = {-1};
        byte[] sentBytes;
        try {
            Prefix header = traceHeaders(session, envelope, verdicts, authenticated);
            Content asReceived = withHeader(header, envelope, new byte[0]);
            RecipientSorting.Prepared prepared = users.isEmpty() ? null : sorting.prepare(
                asReceived::getInputStream, asReceived.size(), mailFrom, facts, verdicts);
            byte[][] sent = new byte[1][];
            deliver(users, envelope, header, prepared, () -> {
                if (remote.isEmpty() && !authenticated) {
                    return;
                }
                try (InputStream in = asReceived.getInputStream()) {
                    sent[0] = in.readAllBytes();
                }
                if (!remote.isEmpty()) {
                    queueId[0] = outbox.enqueue(mailFrom.orElse(""), remote, sent[0]);
                }
            });
            sentBytes = sent[0];
        } catch (MessageTooLargeException e) {
            return SmtpReplies.deny("552", "5.3.4 Message too large for the mailbox store");
        } catch (MailboxFull e) {
            // An everyday condition, not a fault: one line, no stack trace; the sender's server retries.
            LOGGER.warn("session {}: mailbox of {} is over its quota ({}); message deferred, nothing kept",
                session.getSessionID(), e.user, e.getCause().getMessage());
            return MAILBOX_FULL;
        } catch (Exception | StackOverflowError | LinkageError e) {
            // Whatever went wrong with this message, the session (and the server) carry on: 451, retry later.
            LOGGER.error("session {}: delivery to {} failed, nothing kept", session.getSessionID(), users, e);
            return STORAGE_FAILED;
        } finally {
            gate.leave();
        }
        if (authenticated && sentBytes != null) {
            tellSubmitted(session, envelope, sentBytes);
        }
        // No line of its own: TransactionLog's one line per transaction names the mailboxes and the queue row.
        new DeliveryOutcome(List.copyOf(users), remote,
            queueId[0] < 0 ? OptionalLong.empty() : OptionalLong.of(queueId[0])).record(session);
        return SmtpReplies.ok("250", "2.6.0 Message accepted for delivery");
    }

    private void tellSubmitted(SMTPSession session, MailEnvelope envelope, byte[] message) {
        try {
            submitted.submitted(session.getUsername().asString(),
                envelope.getRecipients().stream().map(MailAddress::asString).toList(), message, clock.instant());
        } catch (RuntimeException e) {
            // Learning is a bonus; the message is stored and the client gets its 250 regardless.
            LOGGER.warn("session {}: submitted mail not handed to learning: {}", session.getSessionID(), e.toString());
        }
    }

    /**
     * What goes before the message's own bytes in every copy: {@code fields} above the recipient's sort header,
     * {@code end} (the empty line a submitted body-only message lacks, or nothing) below it.
     */
    private record Prefix(byte[] fields, byte[] end) {
    }

    private static final byte[] NOTHING = new byte[0];
    private static final byte[] EMPTY_LINE = {'\r', '\n'};

    /**
     * Received-SPF (when SPF was evaluated; RFC 7208 9.1 puts it above our Received), then our Received header,
     * then for submitted mail the Date and Message-ID it lacks ({@link SubmissionHeaders}): the same for every
     * recipient, local or remote.
     */
    private Prefix traceHeaders(SMTPSession session, MailEnvelope envelope, SessionVerdicts verdicts,
                                boolean submitted) throws IOException {
        byte[] received = ReceivedHeader.of(session, envelope.getRecipients(), clock);
        byte[] spf = verdicts.spf()
            .map(result -> ReceivedSpfHeader.of(result, session.getConfiguration().getHelloName()))
            .orElse(NOTHING);
        byte[] added = NOTHING;
        byte[] end = NOTHING;
        if (submitted) {
            try (InputStream message = envelope.getMessageInputStream()) {
                SubmissionHeaders lacking = SubmissionHeaders.of(message, session.getConfiguration().getHelloName(),
                    clock);
                added = lacking.fields();
                end = lacking.endsHeaderSection() ? EMPTY_LINE : NOTHING;
            }
        }
        byte[] header = new byte[spf.length + received.length + added.length];
        System.arraycopy(spf, 0, header, 0, spf.length);
        System.arraycopy(received, 0, header, spf.length, received.length);
        System.arraycopy(added, 0, header, spf.length + received.length, added.length);
        return new Prefix(header, end);
    }

    /**
     * One recipient's copy as stored: the trace headers, that recipient's {@code X-Mailroom-Sort} header, then the
     * bytes as received, re-readable.
     */
    private static Content withHeader(Prefix prefix, MailEnvelope envelope, byte[] sortHeader) {
        byte[] trace = prefix.fields();
        byte[] header = new byte[trace.length + sortHeader.length + prefix.end().length];
        System.arraycopy(trace, 0, header, 0, trace.length);
        System.arraycopy(sortHeader, 0, header, trace.length, sortHeader.length);
        System.arraycopy(prefix.end(), 0, header, trace.length + sortHeader.length, prefix.end().length);
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

    /**
     * A local recipient's mailbox refused the copy for its quota. The reply is temporary (452 4.2.2, as Gmail and
     * Dovecot's {@code quota_full_tempfail} answer): the user may make room, and the sender's server retries; the
     * other recipients' copies were removed again like after any failed copy (one reply per message).
     */
    private static final class MailboxFull extends Exception {
        final String user;

        MailboxFull(String user, OverQuotaException cause) {
            super(cause);
            this.user = user;
        }
    }

    /** The last step of a delivery, after the local copies: queueing for remote recipients. */
    @FunctionalInterface
    private interface ThenQueue {
        void run() throws Exception;
    }

    /**
     * Local copies first, the queue row last: if queueing fails, the copies are removed and the client retries the
     * whole message; queueing first would let the outbound schedule send a message the client is then told failed.
     */
    private void deliver(Set<String> users, MailEnvelope envelope, Prefix trace, RecipientSorting.Prepared prepared,
                         ThenQueue thenQueue) throws Exception {
        List<MailboxAppender.Appended> done = new ArrayList<>();
        try {
            for (String user : users) {
                try {
                    done.add(append(user, envelope, trace, prepared.place(user)));
                } catch (OverQuotaException full) {
                    throw new MailboxFull(user, full);
                }
            }
            thenQueue.run();
        } catch (Exception failure) {
            for (MailboxAppender.Appended copy : done) {
                try {
                    appender.undo(copy);
                } catch (MailboxException e) {
                    failure.addSuppressed(e);
                    LOGGER.error("could not remove partial copy uid {} after a failed delivery", copy.uid(), e);
                }
            }
            throw failure;
        } finally {
            for (MailboxAppender.Appended copy : done) {
                appender.end(copy);
            }
        }
        if (prepared != null) {
            try {
                prepared.committed(users);
            } catch (RuntimeException e) {
                // What follows a commit is learning, a bonus: the copies are stored and the client gets its 250.
                LOGGER.warn("delivery to {} committed; telling the sorter failed: {}", users, e.toString());
            }
        }
    }

    private MailboxAppender.Appended append(String user, MailEnvelope envelope, Prefix trace, Placement placement)
        throws MailboxException {
        Flags keywords = new Flags();
        placement.keywords().forEach(keywords::add);
        Content copy = withHeader(trace, envelope, placement.traceHeader());
        try {
            return appender.append(user, placement.folder(), keywords, copy);
        } catch (MailboxException refused) {
            // A folder named by a user rule that the store refuses (bad name, quota...) must not bounce the mail.
            if ("INBOX".equalsIgnoreCase(placement.folder())) {
                throw refused;
            }
            LOGGER.warn("folder '{}' of {} unusable ({}); delivering to INBOX", placement.folder(), user,
                refused.getMessage());
            return appender.append(user, "INBOX", keywords, copy);
        }
    }

    /** Stops taking deliveries and waits briefly for those in progress. */
    @Override
    public void close() {
        try {
            gate.close(30);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
