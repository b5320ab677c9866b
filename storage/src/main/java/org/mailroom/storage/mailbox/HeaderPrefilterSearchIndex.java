package org.mailroom.storage.mailbox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

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
 * instead of all of them. The answer is James's, criterion for criterion. Queries without such a text, with a UID
 * or sequence-set criterion (James reads only that range) or another sort order go to the delegate unchanged.
 */
final class HeaderPrefilterSearchIndex implements MessageSearchIndex {
    private final MessageSearchIndex delegate;
    private final JdbcMailboxSessionMapperFactory mappers;
    private final TextExtractor textExtractor;
    private final AttachmentContentLoader attachmentContentLoader;

    HeaderPrefilterSearchIndex(MessageSearchIndex delegate, JdbcMailboxSessionMapperFactory mappers,
                               TextExtractor textExtractor, AttachmentContentLoader attachmentContentLoader) {
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
        HeaderTextPrefilter filter = prefilter.get();
        return Mono.fromCallable(() -> {
            // HEADERS, as James fetches for header criteria; a body a candidate needs is loaded on demand. Only the
            // candidates are built as messages: the others cost the read of their header bytes.
            List<MailboxMessage> candidates = mappers.messageMapper().findByHeader(mailbox, filter::mayMatch);
            // in UID order already (the mapper's ORDER BY), as James's default sort wants
            List<MessageUid> hits = new ArrayList<>();
            new MessageSearches(candidates.iterator(), query, textExtractor, attachmentContentLoader, session)
                .iterator().forEachRemaining(result -> hits.add(result.getMessageUid()));
            return hits;
        }).subscribeOn(Schedulers.boundedElastic()).flatMapIterable(hits -> hits);
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
