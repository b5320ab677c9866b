package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.Expunge;

/** James's MPT {@code Expunge} scripts against a live Mailroom IMAP server. */
class MailroomExpungeTest extends Expunge {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
