package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.MailboxAnnotation;

/** James's MPT {@code MailboxAnnotation} scripts against a live Mailroom IMAP server. */
class MailroomMailboxAnnotationTest extends MailboxAnnotation {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
