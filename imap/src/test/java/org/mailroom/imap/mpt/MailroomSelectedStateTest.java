package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.SelectedState;

/** James's MPT {@code SelectedState} scripts against a live Mailroom IMAP server. */
class MailroomSelectedStateTest extends SelectedState {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
