package org.mailroom.storage.mailbox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;

import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.SearchQuery.ConjunctionCriterion;
import org.apache.james.mailbox.model.SearchQuery.Criterion;
import org.apache.james.mailbox.model.SearchQuery.UidCriterion;
import org.apache.james.mailbox.store.search.MessageSearchIndex;

import reactor.core.publisher.Flux;

/**
 * Works around a bug of James 3.8.1's {@code SimpleMessageSearchIndex}: to narrow what it reads, it takes the first
 * UID (or sequence-set) criterion it finds walking down <em>any</em> conjunction, NOT and OR included, and only
 * considers messages in that range. So {@code SEARCH NOT 2} found nothing and {@code SEARCH OR 1 3} only message 1.
 * When that walk would reach a UID criterion under a NOT or OR, this puts a UID criterion covering every message
 * first in the query (it matches all messages, so the result is the same), which is the one James then takes.
 */
final class UidRangeSafeSearchIndex implements MessageSearchIndex {

    private static final Criterion ALL_UIDS = SearchQuery.uid(
        new SearchQuery.UidRange(MessageUid.MIN_VALUE, MessageUid.MAX_VALUE));

    private final MessageSearchIndex delegate;

    UidRangeSafeSearchIndex(MessageSearchIndex delegate) {
        this.delegate = delegate;
    }

    @Override
    public Flux<MessageUid> search(MailboxSession session, Mailbox mailbox, SearchQuery searchQuery) throws MailboxException {
        return delegate.search(session, mailbox, safe(searchQuery));
    }

    @Override
    public Flux<MessageId> search(MailboxSession session, Collection<MailboxId> mailboxIds, SearchQuery searchQuery,
                                  long limit) throws MailboxException {
        return delegate.search(session, mailboxIds, safe(searchQuery), limit);
    }

    @Override
    public EnumSet<MailboxManager.SearchCapabilities> getSupportedCapabilities(
            EnumSet<MailboxManager.MessageCapabilities> messageCapabilities) {
        return delegate.getSupportedCapabilities(messageCapabilities);
    }

    static SearchQuery safe(SearchQuery query) {
        if (!narrowsUnderNegationOrDisjunction(query.getCriteria(), false)) {
            return query;
        }
        List<Criterion> criteria = new ArrayList<>();
        criteria.add(ALL_UIDS);
        criteria.addAll(query.getCriteria());
        return SearchQuery.builder()
            .andCriteria(criteria)
            .sorts(query.getSorts())
            .addRecentMessageUids(query.getRecentMessageUids())
            .build();
    }

    /** Follows James's walk (first UID criterion, descending into the first conjunction met) and reports where it ends. */
    private static boolean narrowsUnderNegationOrDisjunction(List<Criterion> criteria, boolean underNotOrOr) {
        for (Criterion criterion : criteria) {
            if (criterion instanceof UidCriterion) {
                return underNotOrOr;
            } else if (criterion instanceof ConjunctionCriterion conjunction) {
                return narrowsUnderNegationOrDisjunction(conjunction.getCriteria(),
                    underNotOrOr || conjunction.getType() != SearchQuery.Conjunction.AND);
            }
        }
        return false;
    }
}
