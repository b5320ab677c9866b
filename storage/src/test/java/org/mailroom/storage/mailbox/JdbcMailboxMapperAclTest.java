package org.mailroom.storage.mailbox;

import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMapperACLTest;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** James's ACL storage contract on embedded Derby. */
class JdbcMailboxMapperAclTest extends MailboxMapperACLTest {
    /** The database this suite runs on, emptied; the PostgreSQL twin overrides it. */
    protected Database database() {
        return TestDatabases.derby();
    }

    @Override
    protected MailboxMapper createMailboxMapper() {
        return new JdbcMailboxMapper(database());
    }
}
