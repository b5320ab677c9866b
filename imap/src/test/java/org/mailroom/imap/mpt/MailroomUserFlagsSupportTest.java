package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.UserFlagsSupport;

/** James's MPT {@code UserFlagsSupport} scripts against a live Mailroom IMAP server. */
class MailroomUserFlagsSupportTest extends UserFlagsSupport {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
