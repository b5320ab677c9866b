package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import javax.net.ssl.SSLSocketFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What Thunderbird, K-9, Apple Mail and mutt look for, over implicit TLS: the capabilities before and after login,
 * and the extensions the other tests do not exercise yet answered as their RFCs say (ID, NAMESPACE, QUOTA,
 * LIST-STATUS, ESEARCH, CHILDREN, UNSELECT, UIDPLUS's UID EXPUNGE, SPECIAL-USE's LIST selection, ENABLE).
 * COMPRESS=DEFLATE is tested in CapabilitiesTest (java.util.zip) and ImapClientsScriptTest (mbsync over TLS).
 */
@Timeout(60)
class RealClientCapabilitiesTest {

    @RegisterExtension
    static final OneImapServer testServer = OneImapServer.implicitTlsWithoutThrottle();
    private static SSLSocketFactory tls;

    @BeforeAll
    static void start() throws Exception {
        tls = testServer.fixture().certificate.clientSocketFactory();
    }

    private static List<String> capabilities(TlsImapClient imap) throws Exception {
        List<String> lines = imap.command("CAPABILITY");
        assertThat(TlsImapClient.last(lines)).contains("OK");
        String line = lines.stream().filter(l -> l.startsWith("* CAPABILITY ")).findFirst().orElseThrow();
        return Arrays.asList(line.substring("* CAPABILITY ".length()).toUpperCase().split(" "));
    }

    private static TlsImapClient loggedIn(String user) throws Exception {
        TlsImapClient imap = new TlsImapClient(tls, testServer.server().port());
        assertThat(TlsImapClient.last(imap.login(user, ImapTestServers.PASSWORD))).contains("OK");
        return imap;
    }

    private static String message(String subject) {
        return "From: bob@example.org\r\nTo: alice@example.test\r\nSubject: " + subject + "\r\n\r\nBody\r\n";
    }

    @Test
    void capabilitiesBeforeAndAfterLoginOverTls() throws Exception {
        try (TlsImapClient imap = new TlsImapClient(tls, testServer.server().port())) {
            assertThat(imap.greeting()).startsWith("* OK");
            List<String> before = capabilities(imap);
            // what a client needs to log in over TLS: LOGIN is allowed (no LOGINDISABLED), AUTH=PLAIN, LITERAL+, ID
            assertThat(before).contains("IMAP4REV1", "AUTH=PLAIN", "LITERAL+", "ID").doesNotContain("LOGINDISABLED");
            assertThat(TlsImapClient.last(imap.login(testServer.fixture().addUser("tlscaps"), ImapTestServers.PASSWORD)))
                .contains("OK");
            List<String> after = capabilities(imap);
            assertThat(after).contains("IMAP4REV1", "IDLE", "MOVE", "UIDPLUS", "CONDSTORE", "QRESYNC", "SPECIAL-USE",
                "QUOTA", "NAMESPACE", "ENABLE", "ID", "LITERAL+", "ESEARCH", "LIST-STATUS", "UNSELECT", "CHILDREN");
            assertThat(after).doesNotContain("LOGINDISABLED", "STARTTLS");
        }
    }

    @Test
    void idNamespaceQuotaAndEnable() throws Exception {
        try (TlsImapClient imap = loggedIn(testServer.fixture().addUser("idns"))) {
            // Apple Mail and K-9 send ID; RFC 2971 answers with the server's own list or NIL
            List<String> id = imap.command("ID (\"name\" \"Thunderbird\" \"version\" \"128.0\")");
            assertThat(id).anyMatch(l -> l.startsWith("* ID "));
            assertThat(TlsImapClient.last(id)).contains("OK");
            List<String> namespace = imap.command("NAMESPACE");
            assertThat(namespace).anyMatch(l -> l.matches("\\* NAMESPACE \\(\\(\"[^\"]*\" \"[./]\"\\)\\) .*"));
            assertThat(TlsImapClient.last(namespace)).contains("OK");
            List<String> quota = imap.command("GETQUOTAROOT INBOX");
            assertThat(quota).anyMatch(l -> l.startsWith("* QUOTAROOT \"INBOX\" "));
            assertThat(TlsImapClient.last(quota)).contains("OK");
            assertThat(imap.command("ENABLE QRESYNC")).contains("* ENABLED QRESYNC");
        }
    }

    @Test
    void listStatusAndSpecialUseSelection() throws Exception {
        try (TlsImapClient imap = loggedIn(testServer.fixture().addUser("liststatus"))) {
            for (String subject : List.of("one", "two", "three")) {
                assertThat(TlsImapClient.last(imap.append("INBOX", null, message(subject)))).contains("OK");
            }
            assertThat(TlsImapClient.last(imap.append("Archive", "(\\Seen)", message("archived")))).contains("OK");
            // RFC 5819: one LIST gives every folder with its counts (Thunderbird and K-9 use it when offered)
            List<String> list = imap.command("LIST \"\" \"*\" RETURN (STATUS (MESSAGES UNSEEN))");
            assertThat(TlsImapClient.last(list)).contains("OK");
            assertThat(list).anyMatch(l -> l.startsWith("* LIST ") && l.endsWith(" \"INBOX\""));
            assertThat(list).contains("* STATUS \"INBOX\" (MESSAGES 3 UNSEEN 3)",
                "* STATUS \"Archive\" (MESSAGES 1 UNSEEN 0)");
            // RFC 6154: only the special-use folders, each with its attribute
            List<String> special = imap.command("LIST (SPECIAL-USE) \"\" \"*\"");
            List<String> folders = special.stream().filter(l -> l.startsWith("* LIST ")).toList();
            assertThat(folders).anyMatch(l -> l.contains("\\Sent") && l.endsWith(" \"Sent\""))
                .anyMatch(l -> l.contains("\\Junk") && l.endsWith(" \"Spam\""))
                .anyMatch(l -> l.contains("\\Archive") && l.endsWith(" \"Archive\""))
                .noneMatch(l -> l.endsWith(" \"INBOX\""));
        }
    }

    @Test
    void esearchAnswersMinMaxCountAndAll() throws Exception {
        try (TlsImapClient imap = loggedIn(testServer.fixture().addUser("esearch"))) {
            for (String subject : List.of("alpha", "beta", "alpha again", "gamma")) {
                assertThat(TlsImapClient.last(imap.append("INBOX", null, message(subject)))).contains("OK");
            }
            assertThat(TlsImapClient.last(imap.command("SELECT INBOX"))).contains("OK");
            String tag = imap.nextTag();
            imap.send(tag + " SEARCH RETURN (MIN MAX COUNT) SUBJECT alpha\r\n");
            List<String> search = imap.readUntilTagged(tag);
            assertThat(search).contains("* ESEARCH (TAG \"" + tag + "\") MIN 1 MAX 3 COUNT 2");
            tag = imap.nextTag();
            imap.send(tag + " UID SEARCH RETURN (ALL) NOT SUBJECT alpha\r\n");
            search = imap.readUntilTagged(tag);
            assertThat(search).contains("* ESEARCH (TAG \"" + tag + "\") UID ALL 2,4");
        }
    }

    @Test
    void childrenUnselectAndUidExpunge() throws Exception {
        try (TlsImapClient imap = loggedIn(testServer.fixture().addUser("children"))) {
            String delimiter = imap.command("LIST \"\" \"\"").get(0).replaceAll("^\\* LIST \\([^)]*\\) \"(.)\" .*$", "$1");
            assertThat(delimiter).hasSize(1);
            assertThat(TlsImapClient.last(imap.command("CREATE Projects" + delimiter + "Mailroom"))).contains("OK");
            List<String> list = imap.command("LIST \"\" \"Projects*\"");
            assertThat(list).anyMatch(l -> l.contains("\\HasChildren") && l.endsWith(" \"Projects\""));
            assertThat(list).anyMatch(l -> l.contains("\\HasNoChildren") && l.endsWith(" \"Projects" + delimiter + "Mailroom\""));

            for (String subject : List.of("keep", "drop", "keep too")) {
                assertThat(TlsImapClient.last(imap.append("INBOX", null, message(subject)))).contains("OK");
            }
            assertThat(TlsImapClient.last(imap.command("SELECT INBOX"))).contains("OK");
            assertThat(TlsImapClient.last(imap.command("STORE 1:3 +FLAGS.SILENT (\\Deleted)"))).contains("OK");
            // RFC 3691: UNSELECT leaves the mailbox without expunging (CLOSE would expunge all three)
            assertThat(TlsImapClient.last(imap.command("UNSELECT"))).contains("OK");
            assertThat(TlsImapClient.last(imap.command("SELECT INBOX"))).contains("OK");
            // RFC 4315: UID EXPUNGE removes only the given UIDs among the \Deleted ones
            List<String> expunge = imap.command("UID EXPUNGE 2");
            assertThat(expunge).containsExactly("* 2 EXPUNGE", TlsImapClient.last(expunge));
            assertThat(TlsImapClient.last(expunge)).contains("OK");
            assertThat(imap.command("UID SEARCH ALL")).contains("* SEARCH 1 3");
        }
    }
}
