package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.ConcurrentSessions;

/** James's MPT {@code ConcurrentSessions} scripts against a live Mailroom IMAP server. */
class MailroomConcurrentSessionsTest extends ConcurrentSessions {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
