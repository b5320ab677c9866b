package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.apache.james.core.Username;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxACL;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.UidValidity;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/**
 * The mailbox rows a mapper caches: its own renames, deletions and ACL changes are seen at once; another server's
 * (a second mapper on the same database) within the trust period; callers never share a cached object.
 */
class MailboxRowCacheTest {
    private static final Username ALICE = Username.of("alice@example.org");
    private static final Username BOB = Username.of("bob@example.org");

    private final Database db = TestDatabases.derby();

    @Test
    void ownChangesAreSeenAtOnce() throws Exception {
        JdbcMailboxMapper mapper = new JdbcMailboxMapper(db, Duration.ofHours(1));
        MailboxPath oldPath = MailboxPath.forUser(ALICE, "Old");
        Mailbox mailbox = mapper.create(oldPath, UidValidity.of(7)).block();
        assertThat(mapper.findMailboxById(mailbox.getMailboxId()).block().getName()).isEqualTo("Old");
        assertThat(mapper.findMailboxByPath(oldPath).block()).isNotNull();

        Mailbox renamed = new Mailbox(mailbox);
        renamed.setName("New");
        mapper.rename(renamed).block();
        assertThat(mapper.findMailboxById(mailbox.getMailboxId()).block().getName()).isEqualTo("New");
        assertThat(mapper.findMailboxByPath(oldPath).blockOptional()).isEmpty();
        assertThat(mapper.findMailboxByPath(MailboxPath.forUser(ALICE, "New")).block().getMailboxId())
            .isEqualTo(mailbox.getMailboxId());

        mapper.updateACL(renamed, MailboxACL.command().forUser(BOB).rights(MailboxACL.Right.Read).asAddition()).block();
        assertThat(mapper.findMailboxById(mailbox.getMailboxId()).block().getACL().getEntries())
            .containsKey(MailboxACL.EntryKey.createUserEntryKey(BOB));

        mapper.delete(renamed).block();
        assertThatThrownBy(() -> mapper.findMailboxById(mailbox.getMailboxId()).block())
            .hasCauseInstanceOf(MailboxNotFoundException.class);
    }

    @Test
    void aLookUpAssembledBeforeAChangeAnswersWhatIsThereWhenItRuns() {
        JdbcMailboxMapper mapper = new JdbcMailboxMapper(db, Duration.ofHours(1));
        MailboxPath inbox = MailboxPath.forUser(ALICE, "INBOX");
        Mailbox mailbox = mapper.create(inbox, UidValidity.of(7)).block();
        assertThat(mapper.findMailboxByPath(inbox).block()).isNotNull(); // cached now
        assertThat(mapper.findMailboxById(mailbox.getMailboxId()).block().getName()).isEqualTo("INBOX");

        // as James's RENAME does: the existence check is assembled before the rename runs, then run after it
        var existsAfterwards = mapper.pathExists(inbox);
        var byIdAfterwards = mapper.findMailboxById(mailbox.getMailboxId());
        Mailbox renamed = new Mailbox(mailbox);
        renamed.setName("Saved");
        mapper.rename(renamed).block();
        assertThat(existsAfterwards.block()).isFalse();
        assertThat(byIdAfterwards.block().getName()).isEqualTo("Saved");
    }

    @Test
    void callersGetCopies() {
        JdbcMailboxMapper mapper = new JdbcMailboxMapper(db, Duration.ofHours(1));
        Mailbox mailbox = mapper.create(MailboxPath.forUser(ALICE, "Box"), UidValidity.of(7)).block();
        mapper.findMailboxById(mailbox.getMailboxId()).block().setName("Changed by a caller");
        assertThat(mapper.findMailboxById(mailbox.getMailboxId()).block().getName()).isEqualTo("Box");
    }

    @Test
    void anotherServersChangeIsSeenWithinTheTrustPeriod() throws Exception {
        JdbcMailboxMapper here = new JdbcMailboxMapper(db, Duration.ofMillis(300));
        JdbcMailboxMapper otherServer = new JdbcMailboxMapper(db, Duration.ofMillis(300));
        Mailbox mailbox = here.create(MailboxPath.forUser(ALICE, "Shared"), UidValidity.of(7)).block();
        assertThat(here.findMailboxById(mailbox.getMailboxId()).block().getACL().getEntries()).isEmpty();

        otherServer.updateACL(mailbox, MailboxACL.command().forUser(BOB).rights(MailboxACL.Right.Read).asAddition()).block();
        Thread.sleep(400);
        assertThat(here.findMailboxById(mailbox.getMailboxId()).block().getACL().getEntries())
            .containsKey(MailboxACL.EntryKey.createUserEntryKey(BOB));
    }
}
