package org.mailroom.imap.mpt;

import java.util.Locale;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.ImapTestConstants;
import org.apache.james.mpt.imapmailbox.suite.base.BasicImapCommands;
import org.apache.james.mpt.script.SimpleScriptedTestProtocol;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mailroom's own script on \Recent with two sessions ({@code RecentClaimedOnce.test}): only the session whose SELECT
 * claimed the messages (the mailbox's watermark moved past them) sees them as recent.
 */
class MailroomRecentClaimTest implements ImapTestConstants {
    private SimpleScriptedTestProtocol protocol;

    @BeforeEach
    void setUp() throws Exception {
        ImapHostSystem system = MailroomHostSystem.fresh();
        protocol = new SimpleScriptedTestProtocol("/org/mailroom/imap/mpt/scripts/", system).withUser(USER, PASSWORD);
        BasicImapCommands.welcome(protocol);
        BasicImapCommands.authenticate(protocol);
    }

    @Test
    void onlyTheClaimingSessionSeesRecent() throws Exception {
        protocol.withLocale(Locale.US).run("RecentClaimedOnce");
    }
}
