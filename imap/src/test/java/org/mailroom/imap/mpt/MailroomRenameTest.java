package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.Rename;

/** James's MPT {@code Rename} scripts against a live Mailroom IMAP server. */
class MailroomRenameTest extends Rename {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
