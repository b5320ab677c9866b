package org.mailroom.imap.mpt;

import java.util.Locale;

import org.apache.james.core.Username;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.ImapTestConstants;
import org.apache.james.mpt.imapmailbox.suite.base.BasicImapCommands;
import org.apache.james.mpt.script.ImapScriptedTestProtocol;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * James's MPT {@code AuthenticatePlain} script against a live Mailroom IMAP server, in Mailroom's variant: logging
 * in as another user (a SASL PLAIN authorization identity) is refused, as Mailroom has no delegation.
 */
class MailroomAuthenticatePlainTest implements ImapTestConstants {
    private ImapScriptedTestProtocol protocol;

    @BeforeEach
    void setUp() throws Exception {
        ImapHostSystem system = MailroomHostSystem.fresh();
        protocol = new ImapScriptedTestProtocol("/org/mailroom/imap/mpt/scripts/", system)
            .withUser(USER, PASSWORD)
            .withUser("delegate", "123456")
            .withMailbox(MailboxPath.forUser(Username.of("delegate"), "delegate"))
            .withMailbox(MailboxPath.forUser(Username.of("imapuser"), "imapuser"));
        BasicImapCommands.welcome(protocol);
    }

    @Test
    void authenticatePlainUS() throws Exception {
        protocol.withLocale(Locale.US).run("AuthenticatePlain");
    }

    @Test
    void authenticatePlainITALY() throws Exception {
        protocol.withLocale(Locale.ITALY).run("AuthenticatePlain");
    }
}
