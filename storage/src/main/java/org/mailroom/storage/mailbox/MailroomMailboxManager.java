package org.mailroom.storage.mailbox;

import java.time.Clock;
import java.util.EnumSet;

import javax.mail.Flags;

import org.apache.james.events.EventBus;
import org.apache.james.mailbox.MailboxPathLocker;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.store.MailboxManagerConfiguration;
import org.apache.james.mailbox.store.MessageStorer;
import org.apache.james.mailbox.store.PreDeletionHooks;
import org.apache.james.mailbox.store.StoreMailboxAnnotationManager;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.mailbox.store.StoreMessageManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.mail.ThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.MessageFactory;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.store.mail.model.impl.MessageParser;
import org.apache.james.mailbox.store.quota.QuotaComponents;
import org.apache.james.mailbox.store.search.MessageSearchIndex;
import org.mailroom.storage.quota.QuotaLimitCheck;

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

    public MailroomMailboxManager(JdbcMailboxSessionMapperFactory mapperFactory, SessionProvider sessionProvider,
                                  MailboxPathLocker locker, MessageParser messageParser, MessageId.Factory messageIdFactory,
                                  StoreMailboxAnnotationManager annotationManager, EventBus eventBus,
                                  StoreRightManager rightManager, QuotaComponents quotaComponents,
                                  MessageSearchIndex searchIndex, PreDeletionHooks preDeletionHooks,
                                  ThreadIdGuessingAlgorithm threadIdGuessing, Clock clock) {
        super(mapperFactory, sessionProvider, locker, messageParser, messageIdFactory, annotationManager, eventBus,
            rightManager, quotaComponents, searchIndex, MailboxManagerConfiguration.DEFAULT, preDeletionHooks,
            threadIdGuessing, clock);
        this.quotaCheck = new QuotaLimitCheck(quotaComponents.getQuotaManager(), quotaComponents.getMaxQuotaManager());
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

    private final class KeywordMessageManager extends StoreMessageManager {
        KeywordMessageManager(Mailbox mailbox) {
            super(DEFAULT_NO_MESSAGE_CAPABILITIES, getMapperFactory(), getMessageSearchIndex(), getEventBus(), getLocker(), mailbox,
                quotaCheck, getQuotaComponents().getQuotaRootResolver(),
                configuration.getBatchSizes(), getStoreRightManager(), getPreDeletionHooks(),
                new MessageStorer.WithoutAttachment(getMapperFactory(), getMessageIdFactory(),
                    new MessageFactory.StoreMessageFactory(), getThreadIdGuessingAlgorithm(), getClock()));
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
