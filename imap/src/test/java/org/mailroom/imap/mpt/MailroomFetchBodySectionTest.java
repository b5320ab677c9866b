package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.FetchBodySection;

/** James's MPT {@code FetchBodySection} scripts against a live Mailroom IMAP server. */
class MailroomFetchBodySectionTest extends FetchBodySection {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
