package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.ObjectId;

/** James's MPT {@code ObjectId} scripts against a live Mailroom IMAP server. */
class MailroomObjectIdTest extends ObjectId {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
