package org.mailroom.imap;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.FetchData;
import org.apache.james.imap.api.message.IdRange;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.request.FetchRequest;
import org.apache.james.imap.processor.fetch.FetchProcessor;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MessageRangeException;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.util.MDCBuilder;
import org.mailroom.storage.mailbox.MetadataRowSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * FETCH: requests for membership-row items only ({@link MetadataFetch}) are answered by encoding the rows straight
 * into response bytes, with no message result, response object or reactive step per message (James's path cost ~45
 * µs of CPU per message against Dovecot's ~2); whole messages without a side effect ({@link WholeMessageFetch}) from
 * one statement over the rows and their bytes; ENVELOPE, BODY, BODYSTRUCTURE and header sections from the rows and each
 * message's parse kept ({@link ParsedItemsFetch}); every other FETCH goes to James's {@code FetchProcessor}. Body
 * sections are taken as .PEEK in a mailbox opened with EXAMINE.
 */
final class MailroomFetchProcessor extends FetchProcessor {
    private static final Logger LOGGER = LoggerFactory.getLogger(MailroomFetchProcessor.class);
    /**
     * Bytes written per batch of response lines: one TLS record's payload (16 KB), so that each batch is sent as one
     * full record ({@link FetchLines.Builder}).
     */
    static final int BATCH_BYTES = 16 * 1024;
    /**
     * The first batch of metadata lines: small, so that the client of a long FETCH (every message's flags, 10,000
     * lines) starts reading while the rest is encoded.
     */
    static final int FIRST_BATCH_BYTES = 4 * 1024;

    private final String readOnlyAttribute;
    /** ENVELOPE, BODY, BODYSTRUCTURE and headers of the messages fetched, so each is parsed once. */
    private final ParsedMessageCache parsedMessages;

    MailroomFetchProcessor(MailboxManager mailboxManager, StatusResponseFactory factory, MetricFactory metrics,
                           String readOnlyAttribute) {
        super(mailboxManager, factory, metrics);
        this.readOnlyAttribute = readOnlyAttribute;
        this.parsedMessages = ParsedMessageCache.of(mailboxManager);
    }

    /** The command's log context without its item list and id set ({@link CommandLogContext}). */
    @Override
    protected MDCBuilder mdc(FetchRequest request) {
        return CommandLogContext.action("FETCH");
    }

    @Override
    protected Mono<Void> processRequestReactive(FetchRequest request, ImapSession session, Responder responder) {
        FetchData fetch = request.getFetch();
        FetchRequest effective = fetch.isSetSeen() && Boolean.TRUE.equals(session.getAttribute(readOnlyAttribute))
            ? new FetchRequest(request.isUseUids(), request.getIdSet(), peeking(fetch), request.getTag())
            : request;
        Optional<MetadataFetch> metadata = MetadataFetch.of(effective.getFetch(), session);
        if (metadata.isPresent()) {
            return fetchRows(effective, session, responder,
                (rows, ranges, selected) -> respondRows(rows, ranges, metadata.get(), selected, responder));
        }
        Optional<WholeMessageFetch> whole = WholeMessageFetch.of(effective.getFetch(), session);
        if (whole.isPresent()) {
            return fetchRows(effective, session, responder,
                (rows, ranges, selected) -> respondMessages(rows, ranges, whole.get(), selected, responder),
                whole.get().showsOnlyImmutableItems()
                    ? (rows, ranges, selected) -> respondSmallMessageOnLoop(rows, ranges, whole.get(), selected, responder)
                    : null);
        }
        Optional<ParsedItemsFetch> parsed = ParsedItemsFetch.of(effective.getFetch(), session);
        if (parsed.isPresent()) {
            return fetchRows(effective, session, responder, (rows, ranges, selected) -> parsed.get()
                .answer(rows, ranges, selected, session.getMailboxSession(), parsedMessages, responder, BATCH_BYTES));
        }
        return super.processRequestReactive(effective, session, responder);
    }

    /** Answers a FETCH from the rows of its UID ranges; returns the number of messages answered. */
    @FunctionalInterface
    private interface RowAnswer {
        int answer(MetadataRowSource rows, List<MessageRange> ranges, SelectedMailbox selected) throws MailboxException;
    }

    /**
     * Answers a FETCH on the connection's event loop if it can without waiting; false when it did not answer (and
     * wrote nothing): the {@link RowAnswer} on a blocking thread answers then.
     */
    @FunctionalInterface
    private interface LoopAnswer {
        boolean answer(MetadataRowSource rows, List<MessageRange> ranges, SelectedMailbox selected)
            throws MailboxException;
    }

    private Mono<Void> fetchRows(FetchRequest request, ImapSession session, Responder responder, RowAnswer answer) {
        return fetchRows(request, session, responder, answer, null);
    }

    /**
     * James's {@code FetchProcessor} steps (ranges, unsolicited responses, errors) with rows answered directly: on
     * the event loop by {@code onLoop} when there is one, the mailbox was known without a read (the command is still
     * on its loop) and it answers, else by {@code answer} on {@code boundedElastic}. Whatever follows the answer
     * reads the store on a blocking thread itself (James's flag updates for the session go through the store's
     * reactive reads, which hop), so a command answered on the loop ends there without a thread hand-off.
     */
    private Mono<Void> fetchRows(FetchRequest request, ImapSession session, Responder responder, RowAnswer answer,
                                 LoopAnswer onLoop) {
        SelectedMailbox selected = session.getSelected();
        return Mono.from(getMailboxManager().getMailboxReactive(selected.getMailboxId(), session.getMailboxSession()))
            .flatMap(mailbox -> {
                if (!(mailbox instanceof MetadataRowSource rows)) {
                    return super.processRequestReactive(request, session, responder);
                }
                if (onLoop != null && CommandCompletion.onEventLoop(session)) {
                    try {
                        if (onLoop.answer(rows, ranges(request, selected), selected)) {
                            return unsolicitedResponses(session, responder, !request.isUseUids(), request.isUseUids())
                                .then(Mono.fromRunnable(() -> okComplete(request, responder)));
                        }
                    } catch (MailboxException e) {
                        return Mono.error(e);
                    }
                }
                return Mono.fromCallable(() -> answer.answer(rows, ranges(request, selected), selected))
                    .subscribeOn(Schedulers.boundedElastic())
                    // as James: no EXPUNGE responses during a FETCH by sequence number (RFC 3501 7.4.1)
                    .then(unsolicitedResponses(session, responder, !request.isUseUids(), request.isUseUids()))
                    .then(Mono.fromRunnable(() -> okComplete(request, responder)));
            })
            .onErrorResume(MessageRangeException.class, e -> {
                LOGGER.debug("Fetch failed for mailbox {}: invalid sequence-set {}", selected.getMailboxId(),
                    IdRange.toString(request.getIdSet()), e);
                taggedBad(request, responder, HumanReadableText.INVALID_MESSAGESET);
                return Mono.empty();
            })
            .onErrorResume(MailboxException.class, e -> {
                LOGGER.error("Fetch failed for mailbox {} and sequence-set {}", selected.getMailboxId(),
                    IdRange.toString(request.getIdSet()), e);
                no(request, responder, HumanReadableText.SEARCH_FAILED);
                return Mono.empty();
            })
            .then();
    }

    /** The UID ranges of the request, resolved and normalised against the session's view as James does. */
    private List<MessageRange> ranges(FetchRequest request, SelectedMailbox selected) throws MessageRangeException {
        List<MessageRange> ranges = new ArrayList<>();
        for (IdRange range : request.getIdSet()) {
            MessageRange set = messageRange(selected, range, request.isUseUids())
                .orElseThrow(() -> new MessageRangeException(range.getFormattedString() + " is an invalid range"));
            MessageRange normalized = normalizeMessageRange(selected, set);
            ranges.add(MessageRange.range(normalized.getUidFrom(), normalized.getUidTo()));
        }
        return ranges;
    }

    private static int respondRows(MetadataRowSource rows, List<MessageRange> ranges, MetadataFetch fetch,
                                   SelectedMailbox selected, Responder responder) throws MailboxException {
        FetchLines.Builder lines = new FetchLines.Builder(FIRST_BATCH_BYTES, BATCH_BYTES);
        int[] count = {0};
        for (MessageRange range : ranges) {
            SessionUidWalk view = SessionUidWalk.of(selected, range, fetch.flags());
            rows.visitMetadataRows(range, (uid, modSeq, size, internalDate, systemFlags, keywords) -> {
                int msn = view.msn(uid);
                if (msn == 0) {
                    // not in this session's view (added since its last EXISTS): James skips it too
                    return;
                }
                fetch.encode(lines, msn, uid, modSeq, size, internalDate, systemFlags, keywords,
                    fetch.flags() && view.isRecent(uid));
                count[0]++;
                if (lines.batchReady()) {
                    responder.respond(lines.takeBatch());
                }
            });
        }
        if (!lines.isEmpty()) {
            responder.respond(lines.take());
        }
        return count[0];
    }

    private static int respondMessages(MetadataRowSource rows, List<MessageRange> ranges, WholeMessageFetch fetch,
                                       SelectedMailbox selected, Responder responder) throws MailboxException {
        FetchLines.Builder lines = new FetchLines.Builder(BATCH_BYTES, BATCH_BYTES);
        int[] count = {0};
        for (MessageRange range : ranges) {
            SessionUidWalk view = SessionUidWalk.of(selected, range, fetch.flags());
            rows.visitContentRows(range, (uid, modSeq, size, internalDate, systemFlags, keywords, header, body) -> {
                int msn = view.msn(uid);
                if (msn == 0) {
                    // not in this session's view (added since its last EXISTS): James skips it too
                    return;
                }
                boolean recent = fetch.flags() && view.isRecent(uid);
                if (fetch.encodable(header, body)) {
                    fetch.encode(lines, msn, uid, modSeq, internalDate, size, systemFlags, keywords, recent, header,
                        body);
                    if (lines.batchReady()) {
                        responder.respond(lines.takeBatch());
                    }
                } else {
                    // too large to copy whole: James's encoder streams its literal, after the lines before it
                    if (!lines.isEmpty()) {
                        responder.respond(lines.take());
                    }
                    responder.respond(fetch.response(msn, uid, modSeq, internalDate, size, systemFlags, keywords,
                        recent, header, body));
                }
                count[0]++;
            });
        }
        if (!lines.isEmpty()) {
            responder.respond(lines.take());
        }
        return count[0];
    }

    /**
     * The largest message answered on the event loop: the loop reads it (~0.08 ms of CPU for a 4 KB message, h-rtt)
     * while every other connection of the loop waits, so a read of up to this is traded against the hop to
     * {@code boundedElastic} and back (0.03-0.07 ms of CPU and two thread wake-ups); a larger one hops. It is also
     * the largest literal encoded whole ({@link WholeLiteralComposer#MAX_INLINE}), the path such a message takes.
     */
    static final int MAX_ON_LOOP = 64 * 1024;

    /**
     * A FETCH of one small message showing nothing mutable ({@link WholeMessageFetch#showsOnlyImmutableItems}), read by
     * {@code visitSmallMessageWithoutWaiting}: true when it answered; false (nothing written) for anything else: several
     * messages, a UID outside the session's view, a message larger than {@link #MAX_ON_LOOP}, gone, or a read that
     * could have waited.
     */
    private static boolean respondSmallMessageOnLoop(MetadataRowSource rows, List<MessageRange> ranges,
                                                     WholeMessageFetch fetch, SelectedMailbox selected,
                                                     Responder responder) {
        if (ranges.size() != 1 || !ranges.get(0).getUidFrom().equals(ranges.get(0).getUidTo())) {
            return false;
        }
        MessageRange range = ranges.get(0);
        int msn = SessionUidWalk.of(selected, range, false).msn(range.getUidFrom().asLong());
        if (msn == 0) {
            return false;
        }
        return rows.visitSmallMessageWithoutWaiting(range.getUidFrom().asLong(), MAX_ON_LOOP,
            (uid, size, internalDate, header, body) -> {
                if (fetch.encodable(header, body)) {
                    FetchLines.Builder lines = new FetchLines.Builder(BATCH_BYTES, BATCH_BYTES);
                    fetch.encode(lines, msn, uid, 0L, internalDate, size, 0, null, false, header, body);
                    responder.respond(lines.take());
                } else {
                    responder.respond(fetch.response(msn, uid, 0L, internalDate, size, 0, null, false, header, body));
                }
            });
    }

    /** The same fetch with every body section taken as .PEEK. */
    private static FetchData peeking(FetchData fetch) {
        FetchData.Builder builder = FetchData.builder();
        for (FetchData.Item item : FetchData.Item.values()) {
            if (fetch.contains(item)) {
                builder.fetch(item);
            }
        }
        fetch.getBodyElements().forEach(element -> builder.add(element, true));
        if (fetch.getChangedSince() != -1) {
            builder.changedSince(fetch.getChangedSince());
        }
        return builder.vanished(fetch.getVanished()).build();
    }
}
