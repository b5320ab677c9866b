package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.Recent;

/** James's MPT {@code Recent} scripts against a live Mailroom IMAP server. */
class MailroomRecentTest extends Recent {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
