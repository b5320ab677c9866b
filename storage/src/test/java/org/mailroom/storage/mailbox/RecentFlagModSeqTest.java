package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MessageManager.FlagsUpdateMode;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** \Recent is a session flag: clearing it (as every SELECT does) must not take a MODSEQ (RFC 7162). */
class RecentFlagModSeqTest {
    protected Database database() {
        return TestDatabases.derby();
    }

    @Test
    void clearingRecentKeepsHighestModSeqWhileSettingSeenRaisesIt() throws Exception {
        Database db = database();
        Mailbox mailbox = new JdbcMailboxMapper(db)
            .create(MailboxPath.forUser(Username.of("bob@example.org"), "INBOX"), UidValidity.of(7)).block();
        JdbcMessageMapper messages = new JdbcMessageMapper(db, Clock.systemUTC());
        Flags recent = new Flags(Flags.Flag.RECENT);
        messages.add(mailbox, TinyMessages.in(mailbox, recent));
        messages.add(mailbox, TinyMessages.in(mailbox, recent));
        ModSeq afterAppends = messages.getHighestModSeq(mailbox);

        messages.updateFlags(mailbox, new FlagsUpdateCalculator(recent, FlagsUpdateMode.REMOVE), MessageRange.all());

        assertThat(messages.getHighestModSeq(mailbox)).isEqualTo(afterAppends);
        assertThat(messages.findRecentMessageUidsInMailbox(mailbox)).isEmpty();

        messages.updateFlags(mailbox, new FlagsUpdateCalculator(new Flags(Flags.Flag.SEEN), FlagsUpdateMode.ADD),
            MessageRange.all());

        assertThat(messages.getHighestModSeq(mailbox).asLong()).isEqualTo(afterAppends.asLong() + 1);
        assertThat(messages.getMailboxCounters(mailbox).getUnseen()).isZero();
        assertThat(messages.getMailboxCounters(mailbox).getCount()).isEqualTo(2);
    }
}
