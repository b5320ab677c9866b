package org.mailroom.storage.mailbox;

import java.time.Clock;
import java.util.EnumSet;

import org.apache.james.events.EventBus;
import org.apache.james.mailbox.MailboxPathLocker;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.store.MailboxManagerConfiguration;
import org.apache.james.mailbox.store.PreDeletionHooks;
import org.apache.james.mailbox.store.StoreMailboxAnnotationManager;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.mail.ThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.model.impl.MessageParser;
import org.apache.james.mailbox.store.quota.QuotaComponents;
import org.apache.james.mailbox.store.search.MessageSearchIndex;

/**
 * James's store mailbox manager over the JDBC mappers, declaring what the store supports: StoreMailboxManager
 * itself declares nothing, and IMAP only offers MOVE, METADATA, ACL, QUOTA and OBJECTID when these are set.
 */
public final class MailroomMailboxManager extends StoreMailboxManager {
    private static final EnumSet<MailboxCapabilities> MAILBOX_CAPABILITIES = EnumSet.of(
        MailboxCapabilities.Move, MailboxCapabilities.UserFlag, MailboxCapabilities.Namespace,
        MailboxCapabilities.Annotation, MailboxCapabilities.ACL, MailboxCapabilities.Quota);
    private static final EnumSet<MessageCapabilities> MESSAGE_CAPABILITIES = EnumSet.of(MessageCapabilities.UniqueID);

    public MailroomMailboxManager(JdbcMailboxSessionMapperFactory mapperFactory, SessionProvider sessionProvider,
                                  MailboxPathLocker locker, MessageParser messageParser, MessageId.Factory messageIdFactory,
                                  StoreMailboxAnnotationManager annotationManager, EventBus eventBus,
                                  StoreRightManager rightManager, QuotaComponents quotaComponents,
                                  MessageSearchIndex searchIndex, PreDeletionHooks preDeletionHooks,
                                  ThreadIdGuessingAlgorithm threadIdGuessing, Clock clock) {
        super(mapperFactory, sessionProvider, locker, messageParser, messageIdFactory, annotationManager, eventBus,
            rightManager, quotaComponents, searchIndex, MailboxManagerConfiguration.DEFAULT, preDeletionHooks,
            threadIdGuessing, clock);
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
