package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.PartialFetch;

/** James's MPT {@code PartialFetch} scripts against a live Mailroom IMAP server. */
class MailroomPartialFetchTest extends PartialFetch {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
