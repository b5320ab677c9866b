package org.mailroom.storage.mailbox;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.james.mailbox.AttachmentContentLoader;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.extractor.TextExtractor;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.Header;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.SearchQuery.Criterion;
import org.apache.james.mailbox.store.ResultUtils;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.search.MessageSearchIndex;
import org.apache.james.mailbox.store.search.MessageSearches;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Searches of header texts ({@code HEADER name text}, {@code SUBJECT text}) in one mailbox: reads every message's
 * header as James's scanning index does, but hands to James's own {@code MessageSearches} only the messages whose
 * header bytes contain every required text ({@link HeaderTextPrefilter}), so mime4j parses the few that may match
 * instead of all of them. A query of such texts alone is answered from the header bytes ({@link HeaderFieldMatcher})
 * without building any message, except the few whose searched fields only mime4j can read, and with the header bytes
 * kept between searches ({@link HeaderBytesCache}), so that a search reads from the database only the headers of
 * messages it has not seen. The answer is James's,
 * criterion for criterion. Queries without such a text, with a UID
 * or sequence-set criterion (James reads only that range) or another sort order go to the delegate unchanged.
 */
final class HeaderPrefilterSearchIndex implements MessageSearchIndex {
    private final MessageSearchIndex delegate;
    private final JdbcMailboxSessionMapperFactory mappers;
    private final TextExtractor textExtractor;
    private final AttachmentContentLoader attachmentContentLoader;
    private final HeaderBytesCache headerCache;

    HeaderPrefilterSearchIndex(MessageSearchIndex delegate, JdbcMailboxSessionMapperFactory mappers,
                               TextExtractor textExtractor, AttachmentContentLoader attachmentContentLoader) {
        this(delegate, mappers, textExtractor, attachmentContentLoader, new HeaderBytesCache(HeaderBytesCache.DEFAULT_MAX_BYTES));
    }

    HeaderPrefilterSearchIndex(MessageSearchIndex delegate, JdbcMailboxSessionMapperFactory mappers,
                               TextExtractor textExtractor, AttachmentContentLoader attachmentContentLoader,
                               HeaderBytesCache headerCache) {
        this.headerCache = headerCache;
        this.delegate = delegate;
        this.mappers = mappers;
        this.textExtractor = textExtractor;
        this.attachmentContentLoader = attachmentContentLoader;
    }

    @Override
    public Flux<MessageUid> search(MailboxSession session, Mailbox mailbox, SearchQuery query) throws MailboxException {
        if (!query.getSorts().equals(SearchQuery.DEFAULT_SORTS) || hasUidCriterion(query.getCriteria())) {
            return delegate.search(session, mailbox, query);
        }
        Optional<HeaderFieldMatcher> matcher = HeaderFieldMatcher.of(query);
        if (matcher.isPresent()) {
            return Mono.fromCallable(() -> searchByFields(session, mailbox, query, matcher.get()))
                .subscribeOn(Schedulers.boundedElastic()).flatMapIterable(hits -> hits);
        }
        Optional<HeaderTextPrefilter> prefilter = HeaderTextPrefilter.of(query);
        if (prefilter.isEmpty()) {
            return delegate.search(session, mailbox, query);
        }
        HeaderTextPrefilter filter = prefilter.get();
        return Mono.fromCallable(() -> {
            // HEADERS, as James fetches for header criteria; a body a candidate needs is loaded on demand. Only the
            // candidates are built as messages: the others cost the read of their header bytes.
            List<MailboxMessage> candidates = mappers.messageMapper().findByHeader(mailbox,
                (uid, header) -> filter.mayMatch(header));
            return searchWithJames(session, query, candidates);
        }).subscribeOn(Schedulers.boundedElastic()).flatMapIterable(hits -> hits);
    }

    /**
     * A query of header texts only: the mailbox's UIDs come from the metadata snapshot, each message's header bytes
     * from {@link HeaderBytesCache} (read through the database only for the messages it has not seen), and
     * {@link HeaderFieldMatcher} answers for most from the bytes; the few it cannot (an encoded or 8-bit searched
     * field, a header of unusual structure) from James's parse of their header, read once as James reads messages and
     * kept in the cache beside the bytes.
     */
    private List<MessageUid> searchByFields(MailboxSession session, Mailbox mailbox, SearchQuery query,
                                            HeaderFieldMatcher matcher) throws MailboxException {
        JdbcMessageMapper messages = mappers.messageMapper();
        long[] uids = messages.currentUids(mailbox);
        MailboxHeaderBytes headers = headerCache.of(mailbox);
        byte[][] headerBytes = headers.fill(uids, (from, to, visitor) -> messages.visitHeaders(mailbox, from, to, visitor));
        headerCache.changed(mailbox, headers);
        List<MessageUid> hits = new ArrayList<>();
        Map<Long, List<Header>> undecided = new HashMap<>();
        for (int i = 0; i < uids.length; i++) {
            if (headerBytes[i] == null) {
                continue; // expunged before its header was read
            }
            switch (matcher.decide(headerBytes[i])) {
                case MATCH -> hits.add(MessageUid.of(uids[i]));
                case UNDECIDED -> undecided.put(uids[i], headers.parsedHeader(uids[i]));
                case NO_MATCH -> {
                }
            }
        }
        if (undecided.isEmpty()) {
            return hits;
        }
        parseUnkept(mailbox, headers, undecided);
        undecided.forEach((uid, fields) -> {
            if (fields != null && matcher.matches(fields)) {
                hits.add(MessageUid.of(uid));
            }
        });
        hits.sort(null);
        return hits;
    }

    /**
     * Completes {@code undecided} (UID to James's parse of its header, null when the cache had none) with James's
     * parse of the headers the cache lacked, reading those messages as James does, and keeps them in the cache; a
     * message expunged since the UIDs were read has no row and stays null, left out of the answer.
     */
    private void parseUnkept(Mailbox mailbox, MailboxHeaderBytes headers, Map<Long, List<Header>> undecided)
            throws MailboxException {
        Set<Long> unkept = new HashSet<>();
        undecided.forEach((uid, fields) -> {
            if (fields == null) {
                unkept.add(uid);
            }
        });
        if (unkept.isEmpty()) {
            return;
        }
        try {
            for (MailboxMessage message : mappers.messageMapper().findByHeader(mailbox, (uid, header) -> unkept.contains(uid))) {
                List<Header> fields = ResultUtils.createHeaders(message);
                undecided.put(message.getUid().asLong(), fields);
                headers.keepParsed(message.getUid().asLong(), fields);
            }
        } catch (IOException e) {
            throw new MailboxException("Unable to search header", e);
        }
    }

    /** James's own answer over {@code candidates} (in UID order already, the mapper's ORDER BY, as its default sort wants). */
    private List<MessageUid> searchWithJames(MailboxSession session, SearchQuery query, List<MailboxMessage> candidates)
            throws MailboxException {
        List<MessageUid> hits = new ArrayList<>();
        new MessageSearches(candidates.iterator(), query, textExtractor, attachmentContentLoader, session)
            .iterator().forEachRemaining(result -> hits.add(result.getMessageUid()));
        return hits;
    }

    @Override
    public Flux<MessageId> search(MailboxSession session, Collection<MailboxId> mailboxIds, SearchQuery query, long limit)
            throws MailboxException {
        return delegate.search(session, mailboxIds, query, limit);
    }

    @Override
    public EnumSet<MailboxManager.SearchCapabilities> getSupportedCapabilities(
            EnumSet<MailboxManager.MessageCapabilities> messageCapabilities) {
        return delegate.getSupportedCapabilities(messageCapabilities);
    }

    private static boolean hasUidCriterion(List<Criterion> criteria) {
        for (Criterion criterion : criteria) {
            if (criterion instanceof SearchQuery.UidCriterion) {
                return true;
            }
            if (criterion instanceof SearchQuery.ConjunctionCriterion conjunction && hasUidCriterion(conjunction.getCriteria())) {
                return true;
            }
        }
        return false;
    }
}
