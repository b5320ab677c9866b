package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.Security;

/** James's MPT {@code Security} scripts against a live Mailroom IMAP server. */
class MailroomSecurityTest extends Security {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
