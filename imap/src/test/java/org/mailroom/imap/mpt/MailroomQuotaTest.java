package org.mailroom.imap.mpt;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.QuotaTest;

/** James's MPT {@code QuotaTest} scripts against a live Mailroom IMAP server. */
class MailroomQuotaTest extends QuotaTest {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }
}
