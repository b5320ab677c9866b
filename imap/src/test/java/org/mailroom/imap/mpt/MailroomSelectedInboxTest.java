package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.SelectedInbox;

/** James's MPT {@code SelectedInbox} scripts against a live Mailroom IMAP server. */
class MailroomSelectedInboxTest extends SelectedInbox {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
