package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.model.search.MailboxQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Default folders are created at first login, carry their RFC 6154 attributes, and their names are configurable. */
class DefaultFoldersTest {

    @RegisterExtension
    static final OneImapServer testServer = OneImapServer.plain(ImapLimits.defaults());

    @Test
    void firstLoginCreatesTheFoldersWithSpecialUseAttributes() throws Exception {
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            imap.login(testServer.fixture().addUser("folders"), ImapTestServers.PASSWORD);
            List<String> list = imap.command("LIST \"\" \"*\"");
            assertThat(ImapClient.last(list)).contains("OK");
            assertThat(list.stream().filter(l -> l.startsWith("* LIST"))).hasSize(7);
            assertThat(line(list, "INBOX")).doesNotContain("\\Junk");
            assertThat(line(list, "Priority")).doesNotContain("\\Junk", "\\Sent", "\\Drafts", "\\Trash", "\\Archive");
            assertThat(line(list, "Spam")).contains("\\Junk");
            assertThat(line(list, "Sent")).contains("\\Sent");
            assertThat(line(list, "Drafts")).contains("\\Drafts");
            assertThat(line(list, "Trash")).contains("\\Trash");
            assertThat(line(list, "Archive")).contains("\\Archive");
            assertThat(list).noneMatch(l -> l.contains("Outbox"));

            List<String> lsub = imap.command("LSUB \"\" \"*\"");
            assertThat(lsub.stream().filter(l -> l.startsWith("* LSUB"))).hasSizeGreaterThanOrEqualTo(6);
        }
    }

    @Test
    void specialUseSelectionAndReturnOptions() throws Exception {
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            imap.login(testServer.fixture().addUser("specialuse"), ImapTestServers.PASSWORD);
            List<String> selected = imap.command("LIST (SPECIAL-USE) \"\" \"*\"");
            assertThat(ImapClient.last(selected)).contains("OK");
            List<String> lists = selected.stream().filter(l -> l.startsWith("* LIST")).toList();
            assertThat(lists).hasSize(5);
            assertThat(String.join("\n", lists)).contains("\\Junk", "\\Sent", "\\Drafts", "\\Trash", "\\Archive")
                .doesNotContain("Priority", "INBOX");

            List<String> returned = imap.command("LIST \"\" \"*\" RETURN (SPECIAL-USE)");
            assertThat(returned.stream().filter(l -> l.startsWith("* LIST"))).hasSize(7);
            assertThat(line(returned, "Spam")).contains("\\Junk");
        }
    }

    @Test
    void ensureIsIdempotent() throws Exception {
        String user = testServer.fixture().addUser("idempotent");
        MailboxManager manager = testServer.fixture().store.mailboxManager();
        DefaultFolders folders = new DefaultFolders(FolderNames.defaults());
        folders.ensure(manager, Username.of(user));
        folders.ensure(manager, Username.of(user));
        MailboxSession session = manager.createSystemSession(Username.of(user));
        List<String> names = manager.search(MailboxQuery.privateMailboxesBuilder(session).matchesAllMailboxNames().build(),
                session).map(m -> m.getPath().getName()).collectList().block();
        assertThat(names).containsExactlyInAnyOrder("INBOX", "Priority", "Spam", "Sent", "Drafts", "Trash", "Archive");
        // and a login after that creates nothing more
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            imap.login(user, ImapTestServers.PASSWORD);
            assertThat(imap.command("LIST \"\" \"*\"").stream().filter(l -> l.startsWith("* LIST"))).hasSize(7);
        }
    }

    @Test
    void priorityAndSpamNamesAreConfigurable() throws Exception {
        try (MailroomImapServer custom = testServer.fixture().startPlain(ImapLimits.defaults(), new FolderNames("Important", "Junk"));
             ImapClient imap = new ImapClient(custom.port())) {
            imap.login(testServer.fixture().addUser("custom"), ImapTestServers.PASSWORD);
            List<String> list = imap.command("LIST \"\" \"*\"");
            assertThat(line(list, "Junk")).contains("\\Junk");
            assertThat(line(list, "Important")).doesNotContain("\\Junk");
            assertThat(list).noneMatch(l -> l.endsWith(" Spam") || l.endsWith("\"Spam\"") || l.contains("Priority"));
        }
    }

    private static String line(List<String> lines, String mailbox) {
        return lines.stream()
            .filter(l -> l.startsWith("* LIST") && (l.endsWith(" " + mailbox) || l.endsWith("\"" + mailbox + "\"")))
            .findFirst().orElseThrow(() -> new AssertionError("no LIST line for " + mailbox + " in " + lines));
    }
}
