package org.mailroom.dist.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.dist.CliRun;
import org.mailroom.dist.ExitCode;
import org.mailroom.dist.RunningMailroom;
import org.mailroom.dist.TestServer;

/**
 * quota, import, export and dkim through the real command line and a real store: files on disk in, files out,
 * and IMAP reading back what the commands did.
 */
class MailboxCommandsTest {
    private static final String MBOX = """
        From alice@example.net Mon Nov  2 10:00:00 2026
        From: alice@example.net
        To: bob@example.org
        Subject: first

        Hello.
        >From the archive: this line started with From.
        >>From stays quoted once.

        From carol@example.net Mon Nov  2 11:00:00 2026
        From: carol@example.net
        To: bob@example.org
        Subject: second

        Second body.

        """;

    @TempDir
    Path dir;

    private Path config;

    @BeforeEach
    void userBob() throws IOException {
        config = TestServer.config(dir);
        assertThat(run("", "admin", "domain", "add", "example.org").exitCode()).isZero();
        CliRun user = run("a long password\n", "admin", "user", "add", "bob@example.org", "--password-stdin");
        assertThat(user.exitCode()).as(user.err()).isZero();
    }

    @Test
    void quotaIsSetShownAndReportedByImapGetQuota() throws Exception {
        CliRun set = run("", "admin", "quota", "set", "bob@example.org", "--messages", "100", "--storage", "1MB");
        assertThat(set.exitCode()).as(set.err()).isZero();
        assertThat(set.out()).isEqualTo("bob@example.org\n  messages: 0 of 100\n  storage:  0 B of 1.0 MB (1048576 bytes)\n");

        Files.writeString(dir.resolve("in.mbox"), MBOX);
        assertThat(run("", "admin", "import", "bob@example.org", "in.mbox", "--folder", "INBOX").exitCode()).isZero();
        CliRun shown = run("", "admin", "quota", "show", "bob@example.org");
        assertThat(shown.out()).contains("messages: 2 of 100").containsPattern("storage:  \\d+ B of 1.0 MB");

        try (RunningMailroom running = TestServer.launch(config)) {
            String quota = imap(running, "a2 GETQUOTAROOT INBOX");
            // IMAP counts storage in units of 1024 bytes: two small messages are 0 of 1024.
            assertThat(quota).contains("(MESSAGE 2 100)").containsPattern("\\(STORAGE 0 1024\\)");

            // While the server runs the same command goes through it, and IMAP sees the new limit at once.
            CliRun unlimited = run("", "admin", "quota", "set", "bob@example.org", "--messages", "unlimited");
            assertThat(unlimited.exitCode()).as(unlimited.err()).isZero();
            assertThat(imap(running, "a2 GETQUOTAROOT INBOX")).containsPattern("\\(STORAGE \\d+ 1024\\)");
        }
    }

    @Test
    void quotaRefusesBadInputInOneLine() {
        assertThat(run("", "admin", "quota", "set", "bob@example.org").exitCode()).isEqualTo(ExitCode.USAGE);
        CliRun badSize = run("", "admin", "quota", "set", "bob@example.org", "--storage", "lots");
        assertThat(badSize.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(badSize.errLines()).containsExactly("--storage must be a size such as 500MB or 2GB, or unlimited, was 'lots'");
        CliRun nobody = run("", "admin", "quota", "show", "nobody@example.org");
        assertThat(nobody.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(nobody.errLines()).containsExactly("no such user: nobody@example.org");
    }

    @Test
    void mboxImportedAndExportedRoundTripsTheMessages() throws Exception {
        Files.writeString(dir.resolve("in.mbox"), MBOX);
        CliRun imported = run("", "admin", "import", "bob@example.org", "in.mbox", "--folder", "Archive/2026");
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(imported.out()).endsWith("Imported 2 messages into Archive/2026 of bob@example.org\n");

        CliRun exported = run("", "admin", "export", "bob@example.org", "Archive/2026", "out.mbox");
        assertThat(exported.exitCode()).as(exported.err()).isZero();
        String out = Files.readString(dir.resolve("out.mbox"));
        assertThat(out.split("(?m)^From MAILER-DAEMON ")).hasSize(3);
        assertThat(out).contains("Subject: first", "Subject: second")
            .contains("\n>From the archive: this line started with From.\n")
            .contains("\n>>From stays quoted once.\n");

        // Imported again, the export gives the same messages back (the quoting undone once more).
        CliRun again = run("", "admin", "import", "bob@example.org", "out.mbox", "--folder", "Copy");
        assertThat(again.out()).as(again.err()).startsWith("Imported 2 messages");
        assertThat(run("", "admin", "export", "bob@example.org", "Copy", "copy.mbox").exitCode()).isZero();
        assertThat(Files.readString(dir.resolve("copy.mbox")).replaceAll("(?m)^From MAILER-DAEMON .*$", ""))
            .isEqualTo(out.replaceAll("(?m)^From MAILER-DAEMON .*$", ""));

        CliRun overwrite = run("", "admin", "export", "bob@example.org", "Copy", "copy.mbox");
        assertThat(overwrite.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(overwrite.err()).contains("exists already");
    }

    @Test
    void maildirImportKeepsFlagsAndIsReadOverImap() throws Exception {
        Path maildir = dir.resolve("Maildir");
        Files.createDirectories(maildir.resolve("cur"));
        Files.createDirectories(maildir.resolve("new"));
        Files.createDirectories(maildir.resolve("tmp"));
        Files.writeString(maildir.resolve("cur/1700000000.1.host:2,FS"), "Subject: flagged and seen\r\n\r\nbody\r\n");
        Files.writeString(maildir.resolve("cur/1700000001.2.host:2,RS"), "Subject: answered\r\n\r\nbody\r\n");
        Files.writeString(maildir.resolve("new/1700000002.3.host"), "Subject: unread\r\n\r\nbody\r\n");

        CliRun imported = run("", "admin", "import", "bob@example.org", maildir.toString(), "--folder", "INBOX");
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(imported.out()).startsWith("Imported 3 messages into INBOX");

        try (RunningMailroom running = TestServer.launch(config)) {
            String fetch = imap(running, "a2 SELECT INBOX", "a3 FETCH 1:3 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
            assertThat(fetch).contains("* 3 EXISTS");
            assertThat(fetch).containsPattern("\\* 1 FETCH \\(FLAGS \\((\\\\Flagged \\\\Seen|\\\\Seen \\\\Flagged)\\)");
            assertThat(fetch).containsPattern("\\* 2 FETCH \\(FLAGS \\((\\\\Answered \\\\Seen|\\\\Seen \\\\Answered)\\)");
            assertThat(fetch).contains("Subject: flagged and seen", "Subject: answered", "Subject: unread");

            // While the server runs, an import goes through it and the IMAP session's next NOOP sees the new mail.
            Files.writeString(dir.resolve("more.mbox"), MBOX);
            CliRun live = run("", "admin", "import", "bob@example.org", "more.mbox", "--folder", "INBOX");
            assertThat(live.exitCode()).as(live.err()).isZero();
            assertThat(imap(running, "a2 SELECT INBOX")).contains("* 5 EXISTS");
        }
    }

    @Test
    void importWithoutFolderPlacesEachMessageAsSmtpDeliveryWould() throws Exception {
        Files.writeString(dir.resolve("rules"), "if subject contains \"second\" then priority\n");
        Files.writeString(dir.resolve("in.mbox"), MBOX);
        CliRun imported = run("", "admin", "import", "bob@example.org", "in.mbox");
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(imported.out())
            .endsWith("Imported 2 messages through the sorter (INBOX 1, Priority 1) of bob@example.org\n");

        assertThat(run("", "admin", "export", "bob@example.org", "Priority", "priority.mbox").exitCode()).isZero();
        String priority = Files.readString(dir.resolve("priority.mbox"));
        assertThat(priority).contains("Subject: second").doesNotContain("Subject: first")
            .containsPattern("(?m)^X-Mailroom-Sort: category=priority").contains("rule=");
        assertThat(run("", "admin", "export", "bob@example.org", "INBOX", "inbox.mbox").exitCode()).isZero();
        assertThat(Files.readString(dir.resolve("inbox.mbox"))).contains("Subject: first")
            .containsPattern("(?m)^X-Mailroom-Sort: category=inbox");
    }

    @Test
    void importRefusesWhatItCannotRead() throws IOException {
        CliRun missing = run("", "admin", "import", "bob@example.org", "nothing-here", "--folder", "INBOX");
        assertThat(missing.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(missing.errLines()).hasSize(1);
        assertThat(missing.err()).contains("nothing-here is neither an mbox file nor a Maildir");
        Files.writeString(dir.resolve("in.mbox"), MBOX);
        assertThat(run("", "admin", "import", "nobody@example.org", "in.mbox", "--folder", "INBOX").err())
            .isEqualTo("no such user: nobody@example.org\n");
    }

    @Test
    void dkimKeyIsCreatedForHostedDomainsOnlyAndShown() throws Exception {
        CliRun created = run("", "admin", "dkim", "create", "example.org", "--selector", "s2026");
        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(created.out()).contains("selector s2026").contains(dir.resolve("data/dkim/example.org.s2026.pem").toString())
            .contains("s2026._domainkey.example.org. IN TXT ( \"v=DKIM1; k=rsa; p=MII");
        assertThat(Files.getPosixFilePermissions(dir.resolve("data/dkim/example.org.s2026.pem")))
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));

        CliRun shown = run("", "admin", "dkim", "show", "example.org");
        assertThat(shown.out()).contains("selector: s2026").contains("record:   s2026._domainkey.example.org. IN TXT");

        assertThat(run("", "admin", "dkim", "create", "example.org").err()).contains("already has a DKIM key");
        CliRun unhosted = run("", "admin", "dkim", "create", "example.net");
        assertThat(unhosted.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(unhosted.err()).isEqualTo("example.net is not a hosted domain; add it first with 'admin domain add'\n");
        assertThat(run("", "admin", "dkim", "show", "example.com").exitCode()).isEqualTo(ExitCode.REFUSED);
    }

    /** Logs in as bob over IMAPS, sends the commands, and returns everything up to the last tagged answer. */
    private static String imap(RunningMailroom running, String... commands) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        // The test trusts the server's self-signed certificate blindly: TLS itself is tested in StartCommandTest.
        context.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String authType) { }
            public void checkServerTrusted(X509Certificate[] chain, String authType) { }
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", running.imapTlsPort())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            in.readLine();
            out.write("a1 LOGIN bob@example.org \"a long password\"\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(untilTagged(in, "a1")).contains("a1 OK");
            StringBuilder all = new StringBuilder();
            for (String command : commands) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                all.append(untilTagged(in, command.substring(0, command.indexOf(' '))));
            }
            return all.toString();
        }
    }

    private static String untilTagged(BufferedReader in, String tag) throws IOException {
        StringBuilder all = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            all.append(line).append('\n');
            if (line.startsWith(tag + " ")) {
                break;
            }
        }
        return all.toString();
    }

    private CliRun run(String stdin, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = config.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return CliRun.run(dir, stdin, all);
    }
}
