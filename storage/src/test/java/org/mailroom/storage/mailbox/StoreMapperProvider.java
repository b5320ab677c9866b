package org.mailroom.storage.mailbox;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.store.mail.AttachmentMapper;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.MessageIdMapper;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MapperProvider;
import org.apache.james.utils.UpdatableTickingClock;
import org.mailroom.storage.schema.Database;

/** Hands James's mapper contract suites the JDBC mappers over a real, emptied database. */
final class StoreMapperProvider implements MapperProvider {
    private final Database db;
    private final UpdatableTickingClock clock = new UpdatableTickingClock(Instant.now());
    // Far above the UIDs that appends allocate, so a UID the suites pick by hand never collides with one of them.
    private final AtomicLong uids = new AtomicLong(1_000_000);
    private final AtomicLong modSeqsForUnsavedMailboxes = new AtomicLong();
    private final StoredMessageId.Factory messageIds = new StoredMessageId.Factory();

    StoreMapperProvider(Database db) {
        this.db = db;
    }

    UpdatableTickingClock clock() {
        return clock;
    }

    @Override
    public List<Capabilities> getSupportedCapabilities() {
        // Not offered: ATTACHMENT (no separate JMAP attachment store). ANNOTATION is covered by
        // JdbcAnnotationMapperTest. Keywords are remembered once used (INCREMENTAL_APPLICABLE_FLAGS), as in Dovecot.
        return List.of(Capabilities.MESSAGE, Capabilities.MAILBOX, Capabilities.MOVE, Capabilities.UNIQUE_MESSAGE_ID,
            Capabilities.THREAD_SAFE_FLAGS_UPDATE, Capabilities.ACL_STORAGE, Capabilities.INCREMENTAL_APPLICABLE_FLAGS);
    }

    @Override
    public MailboxMapper createMailboxMapper() {
        return new JdbcMailboxMapper(db);
    }

    @Override
    public MessageMapper createMessageMapper() {
        return new JdbcMessageMapper(db, clock);
    }

    @Override
    public MessageIdMapper createMessageIdMapper() {
        return new JdbcMessageIdMapper(db, clock);
    }

    @Override
    public AttachmentMapper createAttachmentMapper() {
        throw new UnsupportedOperationException("Mailroom keeps no separate attachment store");
    }

    @Override
    public MailboxId generateId() {
        return StoredMailboxId.of(ThreadLocalRandom.current().nextLong(1_000_000_000L, Long.MAX_VALUE));
    }

    @Override
    public MessageUid generateMessageUid() {
        return MessageUid.of(uids.incrementAndGet());
    }

    @Override
    public ModSeq generateModSeq(Mailbox mailbox) throws MailboxException {
        try {
            return new JdbcModSeqProvider(db).nextModSeq(mailbox);
        } catch (MailboxNotFoundException e) {
            // Suites build messages for mailboxes they never persisted, to check that saving them fails.
            return ModSeq.of(modSeqsForUnsavedMailboxes.incrementAndGet());
        }
    }

    @Override
    public ModSeq highestModSeq(Mailbox mailbox) {
        return new JdbcModSeqProvider(db).highestModSeq(mailbox);
    }

    @Override
    public boolean supportPartialAttachmentFetch() {
        return false;
    }

    @Override
    public MessageId generateMessageId() {
        return messageIds.generate();
    }
}
