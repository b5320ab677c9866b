package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.Copy;

/** James's MPT {@code Copy} scripts against a live Mailroom IMAP server. */
class MailroomCopyTest extends Copy {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
