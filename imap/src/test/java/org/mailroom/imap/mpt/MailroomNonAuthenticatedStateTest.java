package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.NonAuthenticatedState;

/** James's MPT {@code NonAuthenticatedState} scripts against a live Mailroom IMAP server. */
class MailroomNonAuthenticatedStateTest extends NonAuthenticatedState {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
