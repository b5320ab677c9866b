package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The first SELECT after a store's start, here after APPENDs as in the IMAP benchmark, has Derby compile no statement
 * of its own: the store has its reads of the mailbox row (counters, keywords, last UID, highest MODSEQ, the snapshot's
 * marks, the \Recent watermark's read and move) and of the first unseen message compiled while it starts. Read from
 * Derby's list of compiled statements ({@code SYSCS_DIAG.STATEMENT_CACHE}) of this class's own database.
 */
@Timeout(60)
class FirstSelectCompilesNothingTest {
    @RegisterExtension
    static final OneImapServer testServer = OneImapServer.plain(ImapLimits.defaults());

    @Test
    void theFirstSelectAfterAppendsFindsItsStatementsCompiled() throws Exception {
        String user = testServer.fixture().addUser("select");
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            assertThat(ImapClient.last(imap.login(user, ImapTestServers.PASSWORD))).contains("OK");
            assertThat(ImapClient.last(imap.command("CREATE Bench"))).contains("OK");
            for (int i = 0; i < 3; i++) {
                assertThat(ImapClient.last(imap.append("Bench", null, "bench " + i))).contains("OK");
            }
            Set<String> beforeSelect = compiled();

            var selected = imap.command("SELECT Bench");

            assertThat(ImapClient.last(selected)).contains("OK");
            assertThat(selected).anyMatch(line -> line.equals("* 3 EXISTS"))
                .anyMatch(line -> line.contains("[UNSEEN 1]"))
                .anyMatch(line -> line.equals("* 3 RECENT"));
            assertThat(compiled()).as("statements compiled by the SELECT").isEqualTo(beforeSelect);
        }
    }

    /** The application's SQL texts in Derby's statement cache (Derby's own diagnostics left out). */
    private static Set<String> compiled() {
        return testServer.fixture().database.read(c -> {
            Set<String> texts = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT sql_text FROM SYSCS_DIAG.STATEMENT_CACHE");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String sql = rs.getString(1);
                    if (sql.contains("mr_") && !sql.contains("SYSCS_DIAG")) {
                        texts.add(sql);
                    }
                }
            }
            return texts;
        });
    }
}
