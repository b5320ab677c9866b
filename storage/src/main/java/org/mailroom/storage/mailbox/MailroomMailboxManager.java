package org.mailroom.storage.mailbox;

import java.time.Clock;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import javax.mail.Flags;

import org.apache.james.events.EventBus;
import org.apache.james.mailbox.MailboxPathLocker;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MessageRangeException;
import org.apache.james.mailbox.exception.ReadOnlyException;
import org.apache.james.mailbox.MessageManager.MailboxMetaData.RecentMode;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.events.MailboxIdRegistrationKey;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.mailbox.store.ResultUtils;
import org.apache.james.mailbox.store.mail.MessageMapper.FetchType;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.reactivestreams.Publisher;

import com.google.common.collect.ImmutableSortedMap;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import org.apache.james.mailbox.store.MailboxManagerConfiguration;
import org.apache.james.mailbox.store.MessageStorer;
import org.apache.james.mailbox.store.PreDeletionHooks;
import org.apache.james.mailbox.store.StoreMailboxAnnotationManager;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.mailbox.store.StoreMessageManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.event.EventFactory;
import org.apache.james.mailbox.store.mail.ThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.MessageFactory;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.store.mail.model.impl.MessageParser;
import org.apache.james.mailbox.store.quota.QuotaComponents;
import org.apache.james.mailbox.store.search.MessageSearchIndex;
import org.mailroom.storage.quota.QuotaLimitCheck;
import org.mailroom.storage.schema.StorageException;

/**
 * James's store mailbox manager over the JDBC mappers, declaring what the store supports: StoreMailboxManager
 * itself declares nothing, and IMAP only offers MOVE, METADATA, ACL, QUOTA and OBJECTID when these are set.
 */
public final class MailroomMailboxManager extends StoreMailboxManager {
    private static final EnumSet<MailboxCapabilities> MAILBOX_CAPABILITIES = EnumSet.of(
        MailboxCapabilities.Move, MailboxCapabilities.UserFlag, MailboxCapabilities.Namespace,
        MailboxCapabilities.Annotation, MailboxCapabilities.ACL, MailboxCapabilities.Quota);
    private static final EnumSet<MessageCapabilities> MESSAGE_CAPABILITIES = EnumSet.of(MessageCapabilities.UniqueID);

    /** What message managers check appends, copies and moves with: reads usage only when a limit applies. */
    private final QuotaLimitCheck quotaCheck;
    private final JdbcMessageMapper messageMapper;
    /** The message managers' path locks: appends to one mailbox share them (see the class). */
    private final MailboxPathLocker messageLocker;
    /** The message managers' event bus: "added" events in UID order (see the class). */
    private final EventBus messageEvents;
    /** Whether pre-deletion hooks are registered: without any, an expunge reads nothing for them (see the class). */
    private final boolean preDeletionHooksPresent;

    public MailroomMailboxManager(JdbcMailboxSessionMapperFactory mapperFactory, SessionProvider sessionProvider,
                                  MailboxPathLocker locker, MessageParser messageParser, MessageId.Factory messageIdFactory,
                                  StoreMailboxAnnotationManager annotationManager, EventBus eventBus,
                                  StoreRightManager rightManager, QuotaComponents quotaComponents,
                                  MessageSearchIndex searchIndex, PreDeletionHooks preDeletionHooks,
                                  boolean preDeletionHooksPresent, ThreadIdGuessingAlgorithm threadIdGuessing,
                                  Clock clock) {
        super(mapperFactory, sessionProvider, locker, messageParser, messageIdFactory, annotationManager, eventBus,
            rightManager, quotaComponents, searchIndex, MailboxManagerConfiguration.DEFAULT, preDeletionHooks,
            threadIdGuessing, clock);
        this.quotaCheck = new QuotaLimitCheck(quotaComponents.getQuotaManager(), quotaComponents.getMaxQuotaManager());
        this.messageMapper = mapperFactory.messageMapper();
        this.messageLocker = new ConcurrentAppendLocker(locker);
        this.messageEvents = new OrderedAddedEvents(eventBus, messageMapper.addedEventOrder());
        this.preDeletionHooksPresent = preDeletionHooksPresent;
    }

    /**
     * James's default message manager reports only the system flags as permanent: IMAP then omits {@code \*} from
     * PERMANENTFLAGS and {@code StoreMessageManager.trimFlags} silently drops every keyword given at APPEND, although
     * the store keeps keywords and declares {@link MailboxCapabilities#UserFlag}. This manager allows any keyword.
     */
    @Override
    protected StoreMessageManager createMessageManager(Mailbox mailbox, MailboxSession session) {
        return new KeywordMessageManager(mailbox);
    }

    private final class KeywordMessageManager extends StoreMessageManager implements MetadataRowSource {
        KeywordMessageManager(Mailbox mailbox) {
            super(DEFAULT_NO_MESSAGE_CAPABILITIES, getMapperFactory(), getMessageSearchIndex(), messageEvents, messageLocker, mailbox,
                quotaCheck, getQuotaComponents().getQuotaRootResolver(),
                configuration.getBatchSizes(), getStoreRightManager(), getPreDeletionHooks(),
                new MessageStorer.WithoutAttachment(getMapperFactory(), getMessageIdFactory(),
                    new MessageFactory.StoreMessageFactory(), getThreadIdGuessingAlgorithm(), getClock()));
        }

        /**
         * Appends to one mailbox run together ({@link ConcurrentAppendLocker}); a copy or move into it excludes them,
         * so its UIDs are consecutive and announced in one event.
         */
        @Override
        public Mono<List<MessageRange>> copyTo(MessageRange set, StoreMessageManager toMailbox, MailboxSession session) {
            return ConcurrentAppendLocker.exclusive(super.copyTo(set, toMailbox, session));
        }

        @Override
        public Mono<List<MessageRange>> moveTo(MessageRange set, StoreMessageManager toMailbox, MailboxSession session) {
            return ConcurrentAppendLocker.exclusive(super.moveTo(set, toMailbox, session));
        }

        /**
         * A minimal fetch (IMAP's FETCH of UID, FLAGS, RFC822.SIZE, INTERNALDATE, MODSEQ...) reads membership rows
         * only, instead of James's path that joins each to its message row and builds a whole message per row.
         */
        @Override
        public Publisher<MessageResult> getMessagesReactive(MessageRange set, FetchGroup fetchGroup, MailboxSession session) {
            if (!fetchGroup.equals(FetchGroup.MINIMAL)) {
                return super.getMessagesReactive(set, fetchGroup, session);
            }
            Mailbox mailbox = getMailboxEntity();
            return messageMapper.listMessageMetaData(mailbox, set)
                .map(metaData -> new MetadataMessageResult(metaData, mailbox.getMailboxId(), uid -> loadFull(mailbox, uid)));
        }

        @Override
        public void visitMetadataRows(MessageRange range, MetadataRowVisitor visitor) throws MailboxException {
            try {
                messageMapper.visitMetadataRows(getMailboxEntity(), range, visitor);
            } catch (StorageException e) {
                throw new MailboxException("Reading message metadata failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void visitContentRows(MessageRange range, ContentRowVisitor visitor) throws MailboxException {
            try {
                messageMapper.visitContentRows(getMailboxEntity(), range, visitor);
            } catch (StorageException e) {
                throw new MailboxException("Reading messages failed: " + e.getMessage(), e);
            }
        }

        /**
         * Only on a database in this process: PostgreSQL's readers never wait for a writer, but its answer is a
         * network round trip, a wait for a thread that must not block.
         */
        @Override
        public boolean visitSmallMessageWithoutWaiting(long uid, long maxSize, ImmutableMessageVisitor visitor) {
            return messageMapper.readsInProcess()
                && messageMapper.visitSmallMessageWithoutWaiting(getMailboxEntity(), uid, maxSize, visitor);
        }

        private MessageResult loadFull(Mailbox mailbox, MessageUid uid) throws MailboxException {
            Iterator<MailboxMessage> found = messageMapper.findInMailbox(mailbox, MessageRange.one(uid), FetchType.FULL, 1);
            if (!found.hasNext()) {
                throw new MessageRangeException("Message " + uid.asLong() + " no longer exists");
            }
            return ResultUtils.loadMessageResult(found.next(), FetchGroup.FULL_CONTENT);
        }

        /**
         * SELECT's claim of the recent messages ({@link RecentMode#RESET}) moves the mailbox's \Recent watermark
         * ({@link JdbcMessageMapper#claimRecent}) and publishes no flag update: \Recent belongs to the one session
         * that claimed it (RFC 3501), and James's default event, one {@code UpdatedFlags} per message, went to every
         * session with the mailbox selected (whose IMAP-287 handling adds a UID whose \Recent changed to its own
         * recent set) and to each group listener: an event as long as the mailbox after many deliveries.
         */
        @Override
        protected Mono<List<MessageUid>> recent(RecentMode recentMode, MailboxSession session) throws MailboxException {
            if (recentMode != RecentMode.RESET) {
                return super.recent(recentMode, session);
            }
            if (!isWriteable(session)) {
                throw new ReadOnlyException(getMailboxPath());
            }
            Mailbox mailbox = getMailboxEntity();
            return Mono.fromCallable(() -> messageMapper.claimRecent(mailbox)).subscribeOn(Schedulers.boundedElastic());
        }

        /**
         * EXPUNGE without James's read for the pre-deletion hooks when there are none (the server registers none):
         * James's store reads the metadata of every message to delete, joined to its message row, to build the hooks'
         * {@code DeleteOperation} even for an empty set of hooks. The \Deleted UIDs come from the metadata snapshot
         * ({@link JdbcMessageMapper#retrieveMessagesMarkedForDeletion}), the delete is the mapper's one transaction,
         * and the {@code Expunged} event is James's. With hooks registered, James's own path runs.
         */
        @Override
        public Flux<MessageUid> expungeReactive(MessageRange set, MailboxSession session) {
            if (preDeletionHooksPresent) {
                return super.expungeReactive(set, session);
            }
            if (!isWriteable(session)) {
                return Flux.error(new ReadOnlyException(getMailboxPath()));
            }
            Mailbox mailbox = getMailboxEntity();
            return deleteAndAnnounce(() -> messageMapper.deleteMessages(mailbox,
                    messageMapper.retrieveMessagesMarkedForDeletion(mailbox, set)), session)
                .flatMapIterable(Map::keySet);
        }

        @Override
        public Iterator<MessageUid> expunge(MessageRange set, MailboxSession session) throws MailboxException {
            if (preDeletionHooksPresent) {
                return super.expunge(set, session);
            }
            if (!isWriteable(session)) {
                throw new ReadOnlyException(getMailboxPath());
            }
            return expungeReactive(set, session).collectList().block().iterator();
        }

        @Override
        public Mono<Void> deleteReactive(List<MessageUid> uids, MailboxSession session) {
            if (preDeletionHooksPresent) {
                return super.deleteReactive(uids, session);
            }
            Mailbox mailbox = getMailboxEntity();
            return deleteAndAnnounce(() -> messageMapper.deleteMessages(mailbox, uids), session).then();
        }

        @Override
        public void delete(List<MessageUid> uids, MailboxSession session) throws MailboxException {
            if (preDeletionHooksPresent) {
                super.delete(uids, session);
                return;
            }
            deleteReactive(uids, session).block();
        }

        /**
         * Runs {@code delete} (blocking: handed to Reactor's elastic pool only from a non-blocking thread, as
         * {@link JdbcMessageMapper#addReactive}), then dispatches James's {@code Expunged} event for what it removed,
         * to the mailbox's listeners, as {@code StoreMessageManager} does (an empty one included).
         */
        private Mono<Map<MessageUid, MessageMetaData>> deleteAndAnnounce(
                Callable<Map<MessageUid, MessageMetaData>> delete, MailboxSession session) {
            Mono<Map<MessageUid, MessageMetaData>> deleted = Mono.fromCallable(delete);
            return Mono.defer(() -> Schedulers.isInNonBlockingThread() ? deleted.subscribeOn(Schedulers.boundedElastic()) : deleted)
                .flatMap(removed -> messageEvents.dispatch(EventFactory.expunged()
                        .randomEventId()
                        .mailboxSession(session)
                        .mailbox(getMailboxEntity())
                        .metaData(ImmutableSortedMap.copyOf(removed))
                        .build(),
                    new MailboxIdRegistrationKey(getMailboxEntity().getMailboxId()))
                    .thenReturn(removed));
        }

        @Override
        public Flags getPermanentFlags(MailboxSession session) {
            Flags flags = new Flags(super.getPermanentFlags(session));
            flags.add(Flags.Flag.USER);
            return flags;
        }
    }

    @Override
    public EnumSet<MailboxCapabilities> getSupportedMailboxCapabilities() {
        return MAILBOX_CAPABILITIES;
    }

    @Override
    public EnumSet<MessageCapabilities> getSupportedMessageCapabilities() {
        return MESSAGE_CAPABILITIES;
    }
}
