package org.mailroom.storage.mailbox;

import java.time.Clock;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.AnnotationMapper;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.MessageIdMapper;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.ModSeqProvider;
import org.apache.james.mailbox.store.mail.UidProvider;
import org.apache.james.mailbox.store.user.SubscriptionMapper;
import org.mailroom.storage.schema.Database;

/**
 * Hands James the JDBC mappers. They hold no per-session state (each call is its own transaction), so one
 * instance of each serves every session.
 */
public final class JdbcMailboxSessionMapperFactory extends MailboxSessionMapperFactory {
    private final JdbcMailboxMapper mailboxMapper;
    private final JdbcMessageMapper messageMapper;
    private final JdbcMessageIdMapper messageIdMapper;
    private final JdbcSubscriptionMapper subscriptionMapper;
    private final JdbcAnnotationMapper annotationMapper;
    private final JdbcUidProvider uidProvider;
    private final JdbcModSeqProvider modSeqProvider;

    public JdbcMailboxSessionMapperFactory(Database db, Clock clock, long maxMessageSize) {
        this.mailboxMapper = new JdbcMailboxMapper(db);
        this.messageMapper = new JdbcMessageMapper(db, clock, maxMessageSize);
        this.messageIdMapper = new JdbcMessageIdMapper(db, clock);
        this.subscriptionMapper = new JdbcSubscriptionMapper(db);
        this.annotationMapper = new JdbcAnnotationMapper(db);
        this.uidProvider = new JdbcUidProvider(db);
        this.modSeqProvider = new JdbcModSeqProvider(db);
    }

    @Override
    public AnnotationMapper createAnnotationMapper(MailboxSession session) {
        return annotationMapper;
    }

    /** The message mapper itself, for the reads James's {@code MessageMapper} interface has no method for. */
    JdbcMessageMapper messageMapper() {
        return messageMapper;
    }

    /** The mailbox mapper itself, for its start-up preparation. */
    JdbcMailboxMapper mailboxMapper() {
        return mailboxMapper;
    }

    @Override
    public MessageMapper createMessageMapper(MailboxSession session) {
        return messageMapper;
    }

    @Override
    public MessageIdMapper createMessageIdMapper(MailboxSession session) {
        return messageIdMapper;
    }

    @Override
    public MailboxMapper createMailboxMapper(MailboxSession session) {
        return mailboxMapper;
    }

    @Override
    public SubscriptionMapper createSubscriptionMapper(MailboxSession session) {
        return subscriptionMapper;
    }

    @Override
    public UidProvider getUidProvider() {
        return uidProvider;
    }

    @Override
    public ModSeqProvider getModSeqProvider() {
        return modSeqProvider;
    }
}
