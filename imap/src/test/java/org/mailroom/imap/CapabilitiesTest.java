package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every capability the issue asks for is advertised after login, and the stateful ones work. */
class CapabilitiesTest {

    @RegisterExtension
    static final OneImapServer testServer = OneImapServer.plain(ImapLimits.defaults());

    @Test
    void capabilityAfterLoginListsEveryRequiredExtension() throws Exception {
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            assertThat(ImapClient.last(imap.login(testServer.fixture().addUser("caps"), ImapTestServers.PASSWORD))).contains("OK");
            List<String> lines = imap.command("CAPABILITY");
            String capability = lines.stream().filter(l -> l.startsWith("* CAPABILITY ")).findFirst().orElseThrow();
            List<String> caps = Arrays.asList(capability.substring("* CAPABILITY ".length()).toUpperCase().split(" "));
            assertThat(caps).contains("IMAP4REV1", "IDLE", "MOVE", "UIDPLUS", "CONDSTORE", "QRESYNC", "SPECIAL-USE",
                "QUOTA", "NAMESPACE", "ENABLE", "ID", "LITERAL+", "ESEARCH", "LIST-STATUS", "UNSELECT", "CHILDREN");
            assertThat(caps).contains("COMPRESS=DEFLATE").doesNotContain("XLIST");
        }
    }

    @Test
    void enableCondstoreSelectCondstoreAndChangedSince() throws Exception {
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            imap.login(testServer.fixture().addUser("condstore"), ImapTestServers.PASSWORD);
            assertThat(imap.command("ENABLE CONDSTORE")).anyMatch(l -> l.equals("* ENABLED CONDSTORE"));
            for (int i = 1; i <= 3; i++) {
                assertThat(ImapClient.last(imap.append("INBOX", null, "m" + i))).contains("OK");
            }
            List<String> select = imap.command("SELECT INBOX (CONDSTORE)");
            assertThat(ImapClient.last(select)).contains("OK");
            long highest = number(select, "HIGHESTMODSEQ (\\d+)");
            assertThat(highest).isPositive();
            // SELECT cleared \Recent without taking a MODSEQ, so the HIGHESTMODSEQ it reported is still every
            // message's upper bound.
            assertThat(imap.command("FETCH 1:* (MODSEQ)").stream()
                .filter(l -> l.contains("MODSEQ (")).mapToLong(l -> number(List.of(l), "MODSEQ \\((\\d+)\\)"))
                .max().orElseThrow()).isLessThanOrEqualTo(highest);

            assertThat(ImapClient.last(imap.command("UID STORE 2 +FLAGS (\\Flagged)"))).contains("OK");
            List<String> changed = imap.command("UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + highest + ")");
            List<String> fetches = changed.stream().filter(l -> l.startsWith("* ") && l.contains("FETCH")).toList();
            assertThat(fetches).hasSize(1);
            assertThat(fetches.get(0)).contains("UID 2").contains("\\Flagged").contains("MODSEQ");
            assertThat(ImapClient.last(changed)).contains("OK");

            List<String> all = imap.command("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 0)");
            assertThat(all.stream().filter(l -> l.startsWith("* ") && l.contains("FETCH"))).hasSize(3);
        }
    }

    @Test
    void compressDeflateWithAJavaUtilZipClientAnswersPipelinedFetchesOfLiterals() throws Exception {
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            imap.login(testServer.fixture().addUser("compress"), ImapTestServers.PASSWORD);
            for (String subject : List.of("first compressed", "second compressed", "third compressed")) {
                assertThat(ImapClient.last(imap.append("INBOX", null, subject))).contains("OK");
            }
            assertThat(ImapClient.last(imap.command("COMPRESS GZIP"))).contains("BAD");
            assertThat(ImapClient.last(imap.command("COMPRESS DEFLATE"))).contains("OK");
            imap.startCompression();

            assertThat(ImapClient.last(imap.command("SELECT INBOX"))).contains("OK");
            // Three FETCHes of whole messages (literals) in one write: each answered, in order, over DEFLATE.
            imap.send("f1 UID FETCH 1 (BODY.PEEK[])\r\nf2 UID FETCH 2 (BODY.PEEK[])\r\nf3 UID FETCH 3 (BODY.PEEK[])\r\n");
            for (int n = 1; n <= 3; n++) {
                List<String> answer = imap.readUntilTagged("f" + n);
                assertThat(ImapClient.last(answer)).startsWith("f" + n + " OK");
                assertThat(answer).anyMatch(l -> l.contains("BODY[] {"))
                    .contains("Subject: " + List.of("first", "second", "third").get(n - 1) + " compressed");
            }
            assertThat(ImapClient.last(imap.command("COMPRESS DEFLATE"))).contains("NO");
            List<String> list = imap.command("LIST \"\" \"*\"");
            assertThat(list).anyMatch(l -> l.startsWith("* LIST") && l.contains("INBOX"));
            assertThat(ImapClient.last(list)).contains("OK");
        }
    }

    @Test
    void compressSentWithACommandBehindItBeforeItsAnswerIsRefusedAndTheSessionStaysPlain() throws Exception {
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            imap.login(testServer.fixture().addUser("compress-pipelined"), ImapTestServers.PASSWORD);
            imap.send("c1 COMPRESS DEFLATE\r\nc2 NOOP\r\n");
            assertThat(ImapClient.last(imap.readUntilTagged("c1"))).startsWith("c1 BAD");
            assertThat(ImapClient.last(imap.readUntilTagged("c2"))).startsWith("c2 OK");
            assertThat(ImapClient.last(imap.command("NOOP"))).contains("OK");
        }
    }

    @Test
    void keywordsAreAcceptedAndPermanentFlagsAllowThem() throws Exception {
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            imap.login(testServer.fixture().addUser("keywords"), ImapTestServers.PASSWORD);
            assertThat(ImapClient.last(imap.append("INBOX", "$Important $Junk", "kw"))).contains("OK");
            List<String> select = imap.command("SELECT INBOX");
            assertThat(select).anyMatch(l -> l.contains("[PERMANENTFLAGS (") && l.contains("\\*"));
            assertThat(ImapClient.last(imap.command("STORE 1 +FLAGS ($NotJunk)"))).contains("OK");
            String flags = imap.command("FETCH 1 (FLAGS)").get(0);
            assertThat(flags).contains("$Important", "$Junk", "$NotJunk");
        }
    }

    @Test
    void bodyFetchAfterExamineDoesNotStoreSeen() throws Exception {
        try (ImapClient imap = new ImapClient(testServer.server().port())) {
            imap.login(testServer.fixture().addUser("examine"), ImapTestServers.PASSWORD);
            imap.append("INBOX", null, "unread");
            assertThat(imap.command("EXAMINE INBOX")).anyMatch(l -> l.contains("READ-ONLY"));
            List<String> fetch = imap.command("FETCH 1 (BODY[])");
            assertThat(ImapClient.last(fetch)).contains("OK");
            assertThat(String.join("\n", fetch)).doesNotContain("\\Seen");
            imap.command("CLOSE");
            imap.command("SELECT INBOX");
            assertThat(imap.command("FETCH 1 (FLAGS)").get(0)).doesNotContain("\\Seen");
            // In a read-write session the same FETCH does mark the message read.
            imap.command("FETCH 1 (BODY[])");
            assertThat(imap.command("FETCH 1 (FLAGS)").get(0)).contains("\\Seen");
        }
    }

    private static long number(List<String> lines, String regex) {
        Pattern pattern = Pattern.compile(regex);
        for (String line : lines) {
            Matcher matcher = pattern.matcher(line);
            if (matcher.find()) {
                return Long.parseLong(matcher.group(1));
            }
        }
        throw new AssertionError("no " + regex + " in " + lines);
    }
}
