package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.AuthenticatedState;

/** James's MPT {@code AuthenticatedState} scripts against a live Mailroom IMAP server. */
class MailroomAuthenticatedStateTest extends AuthenticatedState {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
