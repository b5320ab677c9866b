package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.MailboxWithLongNameError;

/** James's MPT {@code MailboxWithLongNameError} scripts against a live Mailroom IMAP server. */
class MailroomMailboxWithLongNameErrorTest extends MailboxWithLongNameError {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
