package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.FetchBodyStructure;

/** James's MPT {@code FetchBodyStructure} scripts against a live Mailroom IMAP server. */
class MailroomFetchBodyStructureTest extends FetchBodyStructure {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
