package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.Events;

/** James's MPT {@code Events} scripts against a live Mailroom IMAP server. */
class MailroomEventsTest extends Events {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
