package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.UidSearch;

/** James's MPT {@code UidSearch} scripts against a live Mailroom IMAP server. */
class MailroomUidSearchTest extends UidSearch {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
