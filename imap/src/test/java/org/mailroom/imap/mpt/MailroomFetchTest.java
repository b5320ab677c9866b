package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.Fetch;

/** James's MPT {@code Fetch} scripts against a live Mailroom IMAP server. */
class MailroomFetchTest extends Fetch {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
