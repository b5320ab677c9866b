package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A fresh store's first session, after APPENDs, has Derby compile no statement for its read commands (SELECT,
 * {@code FETCH 1:*} of flags and sizes, a header SEARCH, a body FETCH): the store prepared them while it started.
 * Read from Derby's own list of compiled statements ({@code SYSCS_DIAG.STATEMENT_CACHE}) before and after each command,
 * over a real listener and Derby files.
 */
@Timeout(60)
class FirstReadsCompileNothingTest {
    @RegisterExtension
    static final OneImapServer testServer = OneImapServer.plain(ImapLimits.defaults());

    @Test
    void theReadCommandsAfterAppendsCompileNoStatement() throws Exception {
        String user = testServer.fixture().addUser("firstreads");
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            assertThat(ImapClient.last(imap.login(user, ImapTestServers.PASSWORD))).contains("OK");
            for (int i = 0; i < 5; i++) {
                assertThat(ImapClient.last(imap.append("INBOX", null, "message " + i))).contains("OK");
            }
            for (String command : new String[] {"SELECT INBOX", "FETCH 1:* (UID FLAGS RFC822.SIZE)",
                "UID SEARCH HEADER Subject 3", "FETCH 2 (BODY.PEEK[])"}) {
                Set<String> before = compiled();
                assertThat(ImapClient.last(imap.command(command))).as(command).contains("OK");
                Set<String> after = compiled();
                after.removeAll(before);
                assertThat(after).as("statements compiled by " + command).isEmpty();
            }
        }
    }

    private static Set<String> compiled() throws Exception {
        Set<String> texts = new HashSet<>();
        try (Connection c = testServer.fixture().database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT sql_text FROM SYSCS_DIAG.STATEMENT_CACHE");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (!rs.getString(1).contains("SYSCS_DIAG")) {
                    texts.add(rs.getString(1));
                }
            }
        }
        return texts;
    }
}
