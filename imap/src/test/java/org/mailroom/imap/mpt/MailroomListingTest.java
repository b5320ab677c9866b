package org.mailroom.imap.mpt;

import java.util.Locale;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.base.BasicImapCommands;
import org.apache.james.mpt.imapmailbox.suite.Listing;
import org.apache.james.mpt.script.SimpleScriptedTestProtocol;
import org.junit.jupiter.api.Test;

/**
 * James's MPT {@code Listing} scripts against a live Mailroom IMAP server. XLIST is not offered on purpose
 * (RFC 6154 special-use attributes replace it): its script is Mailroom's own variant that expects XLIST refused.
 */
class MailroomListingTest extends Listing {
    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomHostSystem.fresh();
    }

    @Override
    @Test
    public void testXList() throws Exception {
        SimpleScriptedTestProtocol protocol = new SimpleScriptedTestProtocol("/org/mailroom/imap/mpt/scripts/", system)
            .withUser(USER, PASSWORD);
        BasicImapCommands.welcome(protocol);
        BasicImapCommands.authenticate(protocol);
        protocol.withLocale(Locale.ITALY).run("XList");
    }
}
