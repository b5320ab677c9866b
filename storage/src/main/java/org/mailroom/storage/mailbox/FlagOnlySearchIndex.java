package org.mailroom.storage.mailbox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;

import javax.mail.Flags;

import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.SearchQuery.Criterion;
import org.apache.james.mailbox.store.search.MessageSearchIndex;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Answers the searches mail clients send most (UNSEEN, FLAGGED, DELETED, keywords, UID and sequence sets, ALL, and
 * their NOT/OR combinations, in UID order) from the mailbox's metadata snapshot ({@link MetadataSnapshots}, which
 * one statement checks is current; the membership rows when it is not), read-only: no row, message result or Flags
 * object per message. James's scanning index reads every message of the mailbox joined with its stored message row
 * (dates, size, MIME properties) to test a flag, which made SEARCH the costliest IMAP command here; everything else
 * goes to the delegate unchanged.
 */
final class FlagOnlySearchIndex implements MessageSearchIndex {
    private final MessageSearchIndex delegate;
    private final JdbcMailboxSessionMapperFactory mappers;

    FlagOnlySearchIndex(MessageSearchIndex delegate, JdbcMailboxSessionMapperFactory mappers) {
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
        JdbcMessageMapper rows = mappers.messageMapper();
        // The metadata snapshot (or, when it is out of date, the membership rows) visited in UID order, the order
        // the query asks for; no Flags object or message id is built per message.
        return Mono.fromCallable(() -> {
                MatchingUids matching = new MatchingUids(query.getCriteria(), recent);
                rows.visitMetadataRows(mailbox, MessageRange.all(), matching);
                return matching.uids();
            })
            .subscribeOn(Schedulers.boundedElastic())
            .flatMapIterable(uids -> uids);
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

    /** Collects the UIDs of the visited rows that meet every criterion. */
    private static final class MatchingUids implements MetadataRowVisitor {
        private final List<Criterion> criteria;
        private final Collection<MessageUid> recent;
        private final List<MessageUid> uids = new ArrayList<>();

        MatchingUids(List<Criterion> criteria, Collection<MessageUid> recent) {
            this.criteria = criteria;
            this.recent = recent;
        }

        @Override
        public void row(long uid, long modSeq, long size, long internalDateMillis, int systemFlags, String keywords) {
            MessageUid messageUid = MessageUid.of(uid);
            if (matchesAll(criteria, messageUid, systemFlags, keywords, recent)) {
                uids.add(messageUid);
            }
        }

        List<MessageUid> uids() {
            return uids;
        }
    }

    /**
     * The same meaning as James's {@code MessageSearches} gives these criteria, on a row's stored system flag bits
     * ({@link MetadataRowVisitor}) and keywords: \Recent is the session's (the query's recent UIDs), a keyword
     * matches whatever its case (as {@link Flags#contains(String)} compares).
     */
    private static boolean matches(Criterion criterion, MessageUid uid, int systemFlags, String keywords,
                                   Collection<MessageUid> recent) {
        if (criterion instanceof SearchQuery.ConjunctionCriterion conjunction) {
            List<Criterion> parts = conjunction.getCriteria();
            return switch (conjunction.getType()) {
                case AND -> matchesAll(parts, uid, systemFlags, keywords, recent);
                case OR -> parts.stream().anyMatch(part -> matches(part, uid, systemFlags, keywords, recent));
                case NOR -> parts.stream().noneMatch(part -> matches(part, uid, systemFlags, keywords, recent));
            };
        } else if (criterion instanceof SearchQuery.FlagCriterion flag) {
            boolean has = flag.getFlag() == Flags.Flag.RECENT ? recent.contains(uid)
                : (systemFlags & bit(flag.getFlag())) != 0;
            return flag.getOperator().isSet() == has;
        } else if (criterion instanceof SearchQuery.CustomFlagCriterion keyword) {
            return keyword.getOperator().isSet() == hasKeyword(keywords, keyword.getFlag());
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

    private static boolean matchesAll(List<Criterion> criteria, MessageUid uid, int systemFlags, String keywords,
                                      Collection<MessageUid> recent) {
        for (Criterion criterion : criteria) {
            if (!matches(criterion, uid, systemFlags, keywords, recent)) {
                return false;
            }
        }
        return true;
    }

    /** The stored bit of a system flag; none for a flag that is never stored on a message (0 matches nothing). */
    private static int bit(Flags.Flag flag) {
        if (flag == Flags.Flag.ANSWERED) {
            return MetadataRowVisitor.ANSWERED;
        } else if (flag == Flags.Flag.DELETED) {
            return MetadataRowVisitor.DELETED;
        } else if (flag == Flags.Flag.DRAFT) {
            return MetadataRowVisitor.DRAFT;
        } else if (flag == Flags.Flag.FLAGGED) {
            return MetadataRowVisitor.FLAGGED;
        } else if (flag == Flags.Flag.SEEN) {
            return MetadataRowVisitor.SEEN;
        }
        return 0;
    }

    /** Whether the stored keywords (single-space separated, or null) hold {@code keyword}, ignoring case. */
    static boolean hasKeyword(String keywords, String keyword) {
        if (keywords == null || keyword.isEmpty()) {
            return false;
        }
        int length = keyword.length();
        int start = 0;
        while (start <= keywords.length() - length) {
            int end = keywords.indexOf(' ', start);
            if (end < 0) {
                end = keywords.length();
            }
            if (end - start == length && keywords.regionMatches(true, start, keyword, 0, length)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }
}
