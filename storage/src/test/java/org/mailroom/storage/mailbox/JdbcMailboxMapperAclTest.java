package org.mailroom.storage.mailbox;

import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMapperACLTest;
import org.mailroom.storage.testing.TestDatabases;

/** James's ACL storage contract on embedded Derby. */
class JdbcMailboxMapperAclTest extends MailboxMapperACLTest {
    @Override
    protected MailboxMapper createMailboxMapper() {
        return new JdbcMailboxMapper(TestDatabases.derby());
    }
}
