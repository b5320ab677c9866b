package org.mailroom.storage.mailbox;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;

import javax.mail.Flags;

import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.ComposedMessageIdWithMetaData;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.SearchQuery.Criterion;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.search.MessageSearchIndex;

import reactor.core.publisher.Flux;

/**
 * Answers the searches mail clients send most (UNSEEN, FLAGGED, DELETED, keywords, UID and sequence sets, ALL, and
 * their NOT/OR combinations, in UID order) from the membership rows alone. James's scanning index reads every
 * message of the mailbox joined with its stored message row (dates, size, MIME properties) to test a flag, which
 * made SEARCH the costliest IMAP command here; everything else goes to the delegate unchanged.
 */
final class FlagOnlySearchIndex implements MessageSearchIndex {
    private final MessageSearchIndex delegate;
    private final MailboxSessionMapperFactory mappers;

    FlagOnlySearchIndex(MessageSearchIndex delegate, MailboxSessionMapperFactory mappers) {
        this.delegate = delegate;
        this.mappers = mappers;
    }

    @Override
    public Flux<MessageUid> search(MailboxSession session, Mailbox mailbox, SearchQuery query) throws MailboxException {
        if (!answerable(query)) {
            return delegate.search(session, mailbox, query);
        }
        if (query.getCriteria().stream().allMatch(SearchQuery.AllCriterion.class::isInstance)) {
            // Every SELECT asks for ALL (James's SelectedMailboxImpl numbers the messages with it): the mapper's
            // UID list cache answers that with one number read while the mailbox is unchanged.
            return mappers.getMessageMapper(session).listAllMessageUids(mailbox);
        }
        Collection<MessageUid> recent = query.getRecentMessageUids();
        // listMessagesMetadata reads membership rows in UID order, which is the order the query asks for.
        return mappers.getMessageMapper(session).listMessagesMetadata(mailbox, MessageRange.all())
            .filter(row -> matchesAll(query.getCriteria(), row, recent))
            .map(row -> row.getComposedMessageId().getUid());
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

    static boolean answerable(SearchQuery query) {
        return query.getSorts().equals(SearchQuery.DEFAULT_SORTS) && query.getCriteria().stream().allMatch(FlagOnlySearchIndex::answerable);
    }

    private static boolean answerable(Criterion criterion) {
        if (criterion instanceof SearchQuery.ConjunctionCriterion conjunction) {
            return conjunction.getCriteria().stream().allMatch(FlagOnlySearchIndex::answerable);
        }
        return criterion instanceof SearchQuery.FlagCriterion || criterion instanceof SearchQuery.CustomFlagCriterion
            || criterion instanceof SearchQuery.UidCriterion || criterion instanceof SearchQuery.AllCriterion;
    }

    /** The same meaning as James's {@code MessageSearches} gives these criteria. */
    private static boolean matches(Criterion criterion, ComposedMessageIdWithMetaData row, Collection<MessageUid> recent) {
        MessageUid uid = row.getComposedMessageId().getUid();
        if (criterion instanceof SearchQuery.ConjunctionCriterion conjunction) {
            List<Criterion> parts = conjunction.getCriteria();
            return switch (conjunction.getType()) {
                case AND -> matchesAll(parts, row, recent);
                case OR -> parts.stream().anyMatch(part -> matches(part, row, recent));
                case NOR -> parts.stream().noneMatch(part -> matches(part, row, recent));
            };
        } else if (criterion instanceof SearchQuery.FlagCriterion flag) {
            boolean has = flag.getFlag() == Flags.Flag.RECENT ? recent.contains(uid) : row.getFlags().contains(flag.getFlag());
            return flag.getOperator().isSet() == has;
        } else if (criterion instanceof SearchQuery.CustomFlagCriterion keyword) {
            return keyword.getOperator().isSet() == row.getFlags().contains(keyword.getFlag());
        } else if (criterion instanceof SearchQuery.UidCriterion uids) {
            for (SearchQuery.UidRange range : uids.getOperator().getRange()) {
                if (range.isIn(uid)) {
                    return true;
                }
            }
            return false;
        }
        return criterion instanceof SearchQuery.AllCriterion;
    }

    private static boolean matchesAll(List<Criterion> criteria, ComposedMessageIdWithMetaData row,
                                      Collection<MessageUid> recent) {
        for (Criterion criterion : criteria) {
            if (!matches(criterion, row, recent)) {
                return false;
            }
        }
        return true;
    }
}
