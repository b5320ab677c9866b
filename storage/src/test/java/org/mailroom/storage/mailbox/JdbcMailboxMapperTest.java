package org.mailroom.storage.mailbox;

import java.util.concurrent.ThreadLocalRandom;

import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMapperTest;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** James's MailboxMapper contract on embedded Derby. */
class JdbcMailboxMapperTest extends MailboxMapperTest {
    /** The database this suite runs on, emptied; the PostgreSQL twin overrides it. */
    protected Database database() {
        return TestDatabases.derby();
    }

    @Override
    protected MailboxMapper createMailboxMapper() {
        return new JdbcMailboxMapper(database());
    }

    @Override
    protected MailboxId generateId() {
        return StoredMailboxId.of(ThreadLocalRandom.current().nextLong(1_000_000_000L, Long.MAX_VALUE));
    }
}
