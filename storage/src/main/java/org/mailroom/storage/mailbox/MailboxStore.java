package org.mailroom.storage.mailbox;

import java.io.InputStream;
import java.time.Clock;
import java.util.Set;

import org.apache.james.events.EventBus;
import org.apache.james.events.InVMEventBus;
import org.apache.james.events.MemoryEventDeadLetters;
import org.apache.james.events.RetryBackoffConfiguration;
import org.apache.james.events.delivery.InVmEventDelivery;
import org.apache.james.mailbox.AttachmentContentLoader;
import org.apache.james.mailbox.Authenticator;
import org.apache.james.mailbox.Authorizator;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.acl.UnionMailboxACLResolver;
import org.apache.james.mailbox.exception.AttachmentNotFoundException;
import org.apache.james.mailbox.extension.PreDeletionHook;
import org.apache.james.mailbox.model.AttachmentMetadata;
import org.apache.james.mailbox.quota.MaxQuotaManager;
import org.apache.james.mailbox.quota.QuotaManager;
import org.apache.james.mailbox.quota.QuotaRootResolver;
import org.apache.james.mailbox.store.PreDeletionHooks;
import org.apache.james.mailbox.store.SessionProviderImpl;
import org.apache.james.mailbox.store.StoreMailboxAnnotationManager;
import org.apache.james.mailbox.store.StoreMessageIdManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.StoreSubscriptionManager;
import org.apache.james.mailbox.store.event.MailboxAnnotationListener;
import org.apache.james.mailbox.store.extractor.DefaultTextExtractor;
import org.apache.james.mailbox.store.mail.NaiveThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.model.impl.MessageParser;
import org.apache.james.mailbox.store.quota.DefaultUserQuotaRootResolver;
import org.apache.james.mailbox.store.quota.QuotaComponents;
import org.apache.james.mailbox.store.quota.StoreQuotaManager;
import org.apache.james.mailbox.store.search.MessageSearchIndex;
import org.apache.james.mailbox.store.search.SimpleMessageSearchIndex;
import org.apache.james.metrics.api.MetricFactory;
import org.mailroom.storage.quota.JdbcCurrentQuotaManager;
import org.mailroom.storage.quota.JdbcMaxQuotaManager;
import org.mailroom.storage.quota.QuotaUsageNotifier;
import org.mailroom.storage.schema.Database;

/**
 * The mailbox side of Mailroom assembled over one {@link Database}: the James {@code MailboxManager} that
 * IMAP and SMTP delivery share, with its event bus, rights, annotations, subscriptions and quotas, wired the
 * way James's in-memory integration resources wire theirs (quota updater and annotation listener registered).
 */
public final class MailboxStore {
    /** The default largest message a mailbox accepts: 50 MB, above every common provider's limit. */
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 50L * 1024 * 1024;

    /**
     * Limits of the store: the largest message an append may store, the limits James enforces on mailbox annotations
     * (METADATA), and the memory header searches may keep between searches (the raw header bytes of the messages they
     * read, all mailboxes together; a mailbox whose headers weigh more is read from the database at every search).
     */
    public record Settings(long maxMessageSize, int annotationCountLimit, int annotationSizeLimit,
                           long headerCacheBytes) {
        /** The default memory for kept header bytes: 32 MB, about 50,000 headers of 600 bytes. */
        public static final long DEFAULT_HEADER_CACHE_BYTES = HeaderBytesCache.DEFAULT_MAX_BYTES;

        public Settings(long maxMessageSize, int annotationCountLimit, int annotationSizeLimit) {
            this(maxMessageSize, annotationCountLimit, annotationSizeLimit, DEFAULT_HEADER_CACHE_BYTES);
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_MAX_MESSAGE_SIZE,
                org.apache.james.mailbox.model.MailboxConstants.DEFAULT_LIMIT_ANNOTATIONS_ON_MAILBOX,
                org.apache.james.mailbox.model.MailboxConstants.DEFAULT_LIMIT_ANNOTATION_SIZE);
        }

        public Settings withMaxMessageSize(long bytes) {
            return new Settings(bytes, annotationCountLimit, annotationSizeLimit, headerCacheBytes);
        }

        public Settings withHeaderCacheBytes(long bytes) {
            return new Settings(maxMessageSize, annotationCountLimit, annotationSizeLimit, bytes);
        }
    }

    private final MailroomMailboxManager mailboxManager;
    private final StoreSubscriptionManager subscriptionManager;
    private final StoreMessageIdManager messageIdManager;
    private final StoreRightManager rightManager;
    private final QuotaManager quotaManager;
    private final QuotaRootResolver quotaRootResolver;
    private final MaxQuotaManager maxQuotaManager;
    private final EventBus eventBus;
    private final SessionProvider sessionProvider;
    private final JdbcMailboxSessionMapperFactory mapperFactory;

    public MailboxStore(Database db, Authenticator authenticator, Authorizator authorizator, MetricFactory metrics,
                        Clock clock, Settings settings, Set<PreDeletionHook> preDeletionHooks) {
        mapperFactory = new JdbcMailboxSessionMapperFactory(db, clock, settings.maxMessageSize());
        ListenerAwareEventBus eventBus = new ListenerAwareEventBus(new InVMEventBus(new InVmEventDelivery(metrics),
            RetryBackoffConfiguration.DEFAULT, new MemoryEventDeadLetters()));
        this.eventBus = eventBus;
        // System sessions (one per delivered copy) numbered by a counter, not drawn from SecureRandom.
        sessionProvider = new CountedSystemSessions(new SessionProviderImpl(authenticator, authorizator));
        rightManager = new StoreRightManager(mapperFactory, new UnionMailboxACLResolver(), eventBus);
        StoreMailboxAnnotationManager annotationManager = new StoreMailboxAnnotationManager(mapperFactory, rightManager,
            settings.annotationCountLimit(), settings.annotationSizeLimit());

        maxQuotaManager = new JdbcMaxQuotaManager(db);
        JdbcCurrentQuotaManager currentQuotaManager = new JdbcCurrentQuotaManager(db);
        quotaRootResolver = new DefaultUserQuotaRootResolver(sessionProvider, mapperFactory);
        quotaManager = new StoreQuotaManager(currentQuotaManager, maxQuotaManager);
        QuotaComponents quotaComponents = new QuotaComponents(maxQuotaManager, quotaManager, quotaRootResolver);

        PreDeletionHooks hooks = new PreDeletionHooks(preDeletionHooks, metrics);
        messageIdManager = new StoreMessageIdManager(rightManager, mapperFactory, eventBus, quotaManager,
            quotaRootResolver, hooks);
        // IMAP SEARCH scans stored messages; there is no separate attachment store to load from.
        // Wrapped: James's index mis-narrows a search whose UID/sequence-set criterion sits under NOT or OR; and
        // searches of flags and UIDs alone are answered from the membership rows without reading messages.
        // Searches of header texts parse only the headers that contain the texts.
        DefaultTextExtractor textExtractor = new DefaultTextExtractor();
        NoAttachmentStore noAttachments = new NoAttachmentStore();
        MessageSearchIndex searchIndex = new FlagOnlySearchIndex(new UidRangeSafeSearchIndex(
            new HeaderPrefilterSearchIndex(
                new SimpleMessageSearchIndex(mapperFactory, mapperFactory, textExtractor, noAttachments),
                mapperFactory, textExtractor, noAttachments, new HeaderBytesCache(settings.headerCacheBytes()))),
            mapperFactory);

        StoredMessageId.Factory messageIdFactory = new StoredMessageId.Factory();
        // Path locks whose shared form (appends) is taken on the appending thread, not handed to another one.
        mailboxManager = new MailroomMailboxManager(mapperFactory, sessionProvider, new MailboxPathLocks(),
            new MessageParser(), messageIdFactory, annotationManager, eventBus, rightManager, quotaComponents,
            searchIndex, hooks, !preDeletionHooks.isEmpty(), new NaiveThreadIdGuessingAlgorithm(), clock);
        subscriptionManager = new StoreSubscriptionManager(mapperFactory, mapperFactory, eventBus);

        // No ListeningCurrentQuotaUpdater: quota usage is the sum of counters on the mailbox rows, kept by the
        // transactions that add or remove the messages (JdbcCurrentQuotaManager), so a crash cannot leave the quota
        // behind the mailboxes; the notifier only announces the new usage, and reads it only when someone listens.
        eventBus.register(new QuotaUsageNotifier(quotaRootResolver, quotaManager, eventBus));
        eventBus.register(new MailboxAnnotationListener(mapperFactory, sessionProvider));
        mapperFactory.messageMapper().prepareReadStatements();
        mapperFactory.mailboxMapper().prepareReadStatements();
    }

    public MailroomMailboxManager mailboxManager() {
        return mailboxManager;
    }

    public StoreSubscriptionManager subscriptionManager() {
        return subscriptionManager;
    }

    public StoreMessageIdManager messageIdManager() {
        return messageIdManager;
    }

    public StoreRightManager rightManager() {
        return rightManager;
    }

    public QuotaManager quotaManager() {
        return quotaManager;
    }

    public QuotaRootResolver quotaRootResolver() {
        return quotaRootResolver;
    }

    public MaxQuotaManager maxQuotaManager() {
        return maxQuotaManager;
    }

    public EventBus eventBus() {
        return eventBus;
    }

    public SessionProvider sessionProvider() {
        return sessionProvider;
    }

    public JdbcMailboxSessionMapperFactory mapperFactory() {
        return mapperFactory;
    }

    /** Mailroom stores messages whole; James's attachment loading is never backed by a separate store. */
    private static final class NoAttachmentStore implements AttachmentContentLoader {
        @Override
        public InputStream load(AttachmentMetadata attachment, MailboxSession session) throws AttachmentNotFoundException {
            throw new AttachmentNotFoundException(attachment.getAttachmentId().getId());
        }
    }
}
