package org.mailroom.storage.mailbox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.james.mailbox.AttachmentContentLoader;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.extractor.TextExtractor;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.SearchQuery.Criterion;
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
        Optional<HeaderTextPrefilter> prefilter = HeaderTextPrefilter.of(query);
        if (prefilter.isEmpty() || !query.getSorts().equals(SearchQuery.DEFAULT_SORTS) || hasUidCriterion(query.getCriteria())) {
            return delegate.search(session, mailbox, query);
        }
        Optional<HeaderFieldMatcher> matcher = HeaderFieldMatcher.of(query);
        if (matcher.isPresent()) {
            return Mono.fromCallable(() -> searchByFields(session, mailbox, query, matcher.get()))
                .subscribeOn(Schedulers.boundedElastic()).flatMapIterable(hits -> hits);
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
     * {@link HeaderFieldMatcher} answers for most; the few it cannot (an encoded or 8-bit searched field, a header
     * of unusual structure) are read again as messages and answered by James, and the two lists merged in UID order.
     */
    private List<MessageUid> searchByFields(MailboxSession session, Mailbox mailbox, SearchQuery query,
                                            HeaderFieldMatcher matcher) throws MailboxException {
        JdbcMessageMapper messages = mappers.messageMapper();
        long[] uids = messages.currentUids(mailbox);
        MailboxHeaderBytes headers = headerCache.of(mailbox);
        if (headers.fill(uids, (from, to, visitor) -> messages.visitHeaders(mailbox, from, to, visitor))) {
            headerCache.changed(mailbox, headers);
        }
        List<MessageUid> hits = new ArrayList<>();
        Set<Long> undecided = new HashSet<>();
        for (long uid : uids) {
            byte[] header = headers.header(uid);
            if (header == null) {
                continue; // expunged before its header was read
            }
            switch (matcher.decide(header)) {
                case MATCH -> hits.add(MessageUid.of(uid));
                case UNDECIDED -> undecided.add(uid);
                case NO_MATCH -> {
                }
            }
        }
        if (undecided.isEmpty()) {
            return hits;
        }
        // a message expunged since the UIDs were read: James answers for the rows it reads
        List<MessageUid> jamesHits = searchWithJames(session, query,
            messages.findByHeader(mailbox, (uid, header) -> undecided.contains(uid)));
        List<MessageUid> merged = new ArrayList<>(hits.size() + jamesHits.size());
        merged.addAll(hits);
        merged.addAll(jamesHits);
        merged.sort(null);
        return merged;
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
