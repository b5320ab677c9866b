package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.FetchHeaders;

/** James's MPT {@code FetchHeaders} scripts against a live Mailroom IMAP server. */
class MailroomFetchHeadersTest extends FetchHeaders {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
