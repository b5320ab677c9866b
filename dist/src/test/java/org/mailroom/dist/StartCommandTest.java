package org.mailroom.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.mailroom.dist.config.ConfigLoader;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.junit.jupiter.api.io.TempDir;

class StartCommandTest {
    @TempDir
    Path dir;

    @Test
    void servesImapWithStartTlsAndImplicitTlsOverTheStoreUntilClosed() throws Exception {
        Path data = dir.resolve("data");
        StringWriter output = new StringWriter();
        Mailroom mailroom = new Mailroom(new ConfigLoader().load(serverConfig(data)), serverConfig(data), new PrintWriter(output));

        try (RunningMailroom running = mailroom.launch()) {
            assertThat(output.toString())
                .contains("store: " + data.resolve("db"))
                .contains("running    mailbox manager: MailroomMailboxManager over the store (0 domains, 0 users)")
                .contains("running    TLS: ")
                .contains("running    IMAP             127.0.0.1:" + running.imapPort() + " STARTTLS, 127.0.0.1:"
                    + running.imapTlsPort() + " TLS")
                .contains("running    SMTP inbound     MX on 127.0.0.1:" + running.smtpPort())
                .contains("running    sorter           rules " + dir.resolve("rules"))
                .contains("running    outbound queue   0 queued, 16 deliveries at once, direct to MX hosts on port 25")
                .contains("running    HTTP             127.0.0.1:" + running.httpPort())
                .contains("running    admin endpoint   127.0.0.1:")
                .doesNotContain("not yet");

            try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), running.imapPort())) {
                BufferedReader in = reader(plain);
                assertThat(in.readLine()).startsWith("* OK");
                plain.getOutputStream().write("a1 CAPABILITY\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(in.readLine()).contains("STARTTLS").contains("LOGINDISABLED");
            }

            // The self-signed certificate made on first start is what IMAPS presents, valid for localhost.
            X509Certificate certificate = ServerCertificate.read(data.resolve("tls/certificate.pem"));
            try (SSLSocket tls = (SSLSocket) ServerCertificate.trusting(certificate).getSocketFactory()
                    .createSocket("localhost", running.imapTlsPort())) {
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(parameters);
                tls.startHandshake();
                assertThat(reader(tls).readLine()).startsWith("* OK");
            }
        }
        // Everything closed: the embedded database can be opened again by someone else.
        Database.open(DatabaseSettings.embedded(data)).close();
    }

    @Test
    void mailReceivedOnTheMxPortIsReadBackOverImaps() throws Exception {
        Path data = StoreTemplate.copyTo(dir.resolve("data")); // this test is not about creating the store
        Path config = serverConfig(data);
        assertThat(CliRun.run(dir, "", "--config", config.toString(), "admin", "domain", "add", "example.org").exitCode())
            .isZero();
        assertThat(CliRun.run(dir, "a long password\n", "--config", config.toString(), "admin", "user", "add",
            "alice@example.org", "--password-stdin").exitCode()).isZero();
        Mailroom mailroom = new Mailroom(new ConfigLoader().load(config), config, new PrintWriter(new StringWriter()));

        try (RunningMailroom running = mailroom.launch()) {
            try (Socket smtp = new Socket(InetAddress.getLoopbackAddress(), running.smtpPort())) {
                BufferedReader in = reader(smtp);
                var out = smtp.getOutputStream();
                assertThat(in.readLine()).startsWith("220");
                out.write("EHLO sender.example\r\n".getBytes(StandardCharsets.US_ASCII));
                String line;
                while ((line = in.readLine()).startsWith("250-")) {
                    // extensions
                }
                assertThat(line).startsWith("250 ");
                for (String command : new String[] {"MAIL FROM:<bob@sender.example>", "RCPT TO:<alice@example.org>", "DATA"}) {
                    out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    assertThat(in.readLine()).as(command).matches("^(250|354).*");
                }
                out.write(("From: bob@sender.example\r\nTo: alice@example.org\r\nSubject: hello over the wire\r\n"
                    + "\r\nbody\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(in.readLine()).startsWith("250");
                out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            }

            X509Certificate certificate = ServerCertificate.read(data.resolve("tls/certificate.pem"));
            try (SSLSocket imap = (SSLSocket) ServerCertificate.trusting(certificate).getSocketFactory()
                    .createSocket("localhost", running.imapTlsPort())) {
                BufferedReader in = reader(imap);
                var out = imap.getOutputStream();
                assertThat(in.readLine()).startsWith("* OK");
                out.write("a1 LOGIN alice@example.org \"a long password\"\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(untilTagged(in, "a1")).endsWith("a1 OK LOGIN completed.");
                out.write("a2 SELECT INBOX\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(untilTagged(in, "a2")).contains("* 1 EXISTS");
                out.write("a3 FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(untilTagged(in, "a3")).contains("Subject: hello over the wire");
            }
        }
    }

    @Test
    void imapAdvertisesAndEnforcesTheConfiguredLargestMessage() throws Exception {
        Path data = StoreTemplate.copyTo(dir.resolve("data"));
        int largest = 100 * 1024;
        Path config = Files.writeString(serverConfig(data), "limits:\n  max-message-size: 100KB\n",
            java.nio.file.StandardOpenOption.APPEND);
        assertThat(CliRun.run(dir, "", "--config", config.toString(), "admin", "domain", "add", "example.org").exitCode())
            .isZero();
        assertThat(CliRun.run(dir, "a long password\n", "--config", config.toString(), "admin", "user", "add",
            "alice@example.org", "--password-stdin").exitCode()).isZero();
        Mailroom mailroom = new Mailroom(new ConfigLoader().load(config), config, new PrintWriter(new StringWriter()));

        try (RunningMailroom running = mailroom.launch()) {
            X509Certificate certificate = ServerCertificate.read(data.resolve("tls/certificate.pem"));
            try (SSLSocket imap = (SSLSocket) ServerCertificate.trusting(certificate).getSocketFactory()
                    .createSocket("localhost", running.imapTlsPort())) {
                BufferedReader in = reader(imap);
                var out = imap.getOutputStream();
                assertThat(in.readLine()).startsWith("* OK");
                out.write("a1 LOGIN alice@example.org \"a long password\"\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(untilTagged(in, "a1")).endsWith("a1 OK LOGIN completed.");
                // RFC 7889: clients learn the largest message the store takes, not the IMAP decoder's own default
                out.write("a2 CAPABILITY\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(untilTagged(in, "a2")).contains(" APPENDLIMIT=" + largest + " ");
                // one byte more is refused by its announced size, before any of it is sent
                out.write(("a3 APPEND INBOX {" + (largest + 1) + "}\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(in.readLine()).startsWith("a3 NO [TOOBIG]");
                // a message of exactly the limit is asked for and stored
                String header = "From: bob@example.org\r\nSubject: exactly the limit\r\n\r\n";
                String message = header + "x".repeat(largest - header.length());
                out.write(("a4 APPEND INBOX {" + largest + "}\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(in.readLine()).startsWith("+");
                out.write((message + "\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(untilTagged(in, "a4")).startsWith("a4 OK [APPENDUID ");
            }
        }
    }

    @Test
    void aRuleSendsMailToPriorityAnExecutableGoesToSpamAndTheTraceHeaderIsReadBackOverImaps() throws Exception {
        Path data = StoreTemplate.copyTo(dir.resolve("data")); // this test is not about creating the store
        Path config = serverConfig(data);
        Files.writeString(dir.resolve("rules"), "# test rules\n"
            + "if subject contains \"board meeting\" and from domain sender.example then priority, keyword $Board\n");
        assertThat(CliRun.run(dir, "", "--config", config.toString(), "admin", "domain", "add", "example.org").exitCode())
            .isZero();
        assertThat(CliRun.run(dir, "a long password\n", "--config", config.toString(), "admin", "user", "add",
            "alice@example.org", "--password-stdin").exitCode()).isZero();
        Mailroom mailroom = new Mailroom(new ConfigLoader().load(config), config, new PrintWriter(new StringWriter()));

        try (RunningMailroom running = mailroom.launch()) {
            sendOverSmtp(running.smtpPort(), "From: bob@sender.example\r\nTo: alice@example.org\r\n"
                + "Subject: Board meeting on Monday\r\n\r\nagenda attached\r\n");
            sendOverSmtp(running.smtpPort(), "From: bob@sender.example\r\nTo: alice@example.org\r\n"
                + "Subject: lunch?\r\n\r\nnoon\r\n");
            sendOverSmtp(running.smtpPort(), "From: bob@sender.example\r\nTo: alice@example.org\r\n"
                + "Subject: your invoice\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
                + "--x\r\nContent-Type: text/plain\r\n\r\nsee file\r\n--x\r\nContent-Type: application/octet-stream"
                + "\r\nContent-Disposition: attachment; filename=\"invoice.pdf.exe\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--x--\r\n");

            X509Certificate certificate = ServerCertificate.read(data.resolve("tls/certificate.pem"));
            try (SSLSocket imap = (SSLSocket) ServerCertificate.trusting(certificate).getSocketFactory()
                    .createSocket("localhost", running.imapTlsPort())) {
                BufferedReader in = reader(imap);
                var out = imap.getOutputStream();
                assertThat(in.readLine()).startsWith("* OK");
                out.write("a1 LOGIN alice@example.org \"a long password\"\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(untilTagged(in, "a1")).endsWith("a1 OK LOGIN completed.");

                out.write("a2 SELECT Priority\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(untilTagged(in, "a2")).contains("* 1 EXISTS");
                out.write("a3 FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT X-MAILROOM-SORT)])\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
                String priority = untilTagged(in, "a3");
                assertThat(priority).contains("Subject: Board meeting on Monday", "$Important", "$Board", "$NotJunk");
                assertThat(priority.replaceAll("\n[ \t]+", " ")).contains("X-Mailroom-Sort: category=priority;")
                    .contains("rule=\"" + dir.resolve("rules") + ":2\"");

                out.write("a4 SELECT INBOX\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(untilTagged(in, "a4")).contains("* 1 EXISTS");
                out.write("a5 FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT X-MAILROOM-SORT)])\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
                assertThat(untilTagged(in, "a5")).contains("Subject: lunch?", "$NotJunk",
                    "X-Mailroom-Sort: category=inbox;").doesNotContain("$Important");

                out.write("a6 SELECT Spam\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(untilTagged(in, "a6")).contains("* 1 EXISTS");
                out.write("a7 FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (X-MAILROOM-SORT)])\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
                assertThat(untilTagged(in, "a7").replaceAll("\n[ \t]+", " ")).contains("$Junk",
                    "category=spam", "program attached: invoice.pdf.exe");
            }
        }
    }

    private static void sendOverSmtp(int port, String message) throws IOException {
        try (Socket smtp = new Socket(InetAddress.getLoopbackAddress(), port)) {
            BufferedReader in = reader(smtp);
            var out = smtp.getOutputStream();
            assertThat(in.readLine()).startsWith("220");
            out.write("EHLO sender.example\r\n".getBytes(StandardCharsets.US_ASCII));
            String line;
            while ((line = in.readLine()).startsWith("250-")) {
                // extensions
            }
            for (String command : new String[] {"MAIL FROM:<bob@sender.example>", "RCPT TO:<alice@example.org>", "DATA"}) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(in.readLine()).as(command).matches("^(250|354).*");
            }
            out.write((message + ".\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("250");
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static String untilTagged(BufferedReader in, String tag) throws IOException {
        StringBuilder all = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            all.append(line).append('\n');
            if (line.startsWith(tag + " ")) {
                return all.toString().trim();
            }
        }
        return all.toString();
    }

    @Test
    void startRunsInTheForegroundAndStopsCleanlyOnSigterm() throws Exception {
        Path data = dir.resolve("data");
        ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), Main.class.getName(),
            "start", "--config", serverConfig(data).toString())
            .redirectErrorStream(true);
        // What this test is about starts after the warm-up; StartUpWarmUpTest covers that.
        command.environment().put(StartUpWarmUp.ENVIRONMENT, "off");
        Process process = command.start();
        // Drained by a thread: Process.destroy() closes our end of the pipe right after signalling.
        StringBuffer seen = new StringBuffer();
        CountDownLatch running = new CountDownLatch(1);
        Thread drain = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    seen.append(line).append('\n');
                    if (line.contains("Mailroom is running")) {
                        running.countDown();
                    }
                }
            } catch (IOException closed) {
                // destroy() closed the pipe
            }
        });
        drain.start();
        assertThat(running.await(120, TimeUnit.SECONDS)).as(seen.toString()).isTrue();

        // SIGTERM, as an init system or Ctrl-C sends: the child itself prints until it has stopped.
        // ProcessHandle.destroy() sends SIGTERM and, unlike Process.destroy(), leaves our end of the pipes open.
        assertThat(process.toHandle().destroy()).isTrue();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        drain.join(10_000);
        String rest = seen.toString();

        assertThat(rest).contains("Stopping Mailroom").contains("Mailroom stopped.");
        assertThat(process.exitValue()).isEqualTo(143);
        Database.open(DatabaseSettings.embedded(data)).close();
    }

    @Test
    void usesTheInstallRootConfigurationWhenNoneIsNamed() throws IOException {
        Files.createDirectories(dir.resolve("conf"));
        Files.move(config(dir.resolve("data")), dir.resolve("conf/mailroom.yaml"));
        CliRun run = CliRun.run(dir, "", "admin", "domain", "add", "example.org");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(dir.resolve("data/db/service.properties")).exists();
    }

    private Path serverConfig(Path dataDir) throws IOException {
        return Files.writeString(dir.resolve("server.yaml"), "storage:\n  data-dir: " + dataDir + "\n"
            + "imap:\n  port: 0\n  tls-port: 0\n"
            + "smtp:\n  port: 0\n"
            + "submission:\n  port: 0\n  tls-port: 0\n"
            + "http:\n  port: 0\n");
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
    }



    @Test
    void dataDirectoryThatIsAFileStopsStartWithItsPath() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        CliRun run = CliRun.run(dir, "", "--config", config(file).toString(), "start");

        assertThat(run.exitCode()).isEqualTo(ExitCode.STORE);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.err()).contains(file.toString());
    }

    @Test
    void dataDirectoryThatCannotBeCreatedStopsStartWithItsPath() throws IOException {
        Files.writeString(dir.resolve("file"), "x");
        Path data = dir.resolve("file/data");
        CliRun run = CliRun.run(dir, "", "--config", config(data).toString(), "start");

        assertThat(run.exitCode()).isEqualTo(ExitCode.STORE);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.err()).contains(data.toString());
    }

    @Test
    void readOnlyDataDirectoryStopsStartWithItsPath() throws Exception {
        Path data = Files.createDirectories(dir.resolve("read-only"));
        ReadOnlyDirectory readOnly = ReadOnlyDirectory.make(data);
        try {
            CliRun run = CliRun.run(dir, "", "--config", config(data).toString(), "start");
            assertThat(run.exitCode()).isEqualTo(ExitCode.STORE);
            assertThat(run.err()).contains(data.toString()).contains("not writable");
        } finally {
            readOnly.undo();
        }
    }

    /**
     * Makes a folder unwritable even for root (tests run as root in CI, where permission bits do not bind):
     * the immutable attribute as root, plain permissions otherwise.
     */
    private record ReadOnlyDirectory(Path path, boolean immutable) {
        static ReadOnlyDirectory make(Path path) throws Exception {
            if ("root".equals(System.getProperty("user.name"))) {
                run("chattr", "+i", path.toString());
                return new ReadOnlyDirectory(path, true);
            }
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("r-xr-xr-x"));
            return new ReadOnlyDirectory(path, false);
        }

        void undo() throws Exception {
            if (immutable) {
                run("chattr", "-i", path.toString());
            } else {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }

        private static void run(String... command) throws Exception {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        }
    }

    /**
     * A port another program already listens on stops start with one line naming the listener, its address and the
     * cause, and its own exit code (IMAP's cause used to be hidden behind a stack trace of James's failed cleanup).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "smtp,       port,     inbound SMTP listener on 127.0.0.1:",
        "submission, tls-port, SMTP listener on 127.0.0.1:",
        "imap,       port,     IMAP listener on 127.0.0.1:",
        "http,       port,     HTTP listener on 127.0.0.1:"})
    void aPortInUseStopsStartWithTheListenerAndTheCause(String section, String key, String expected) throws IOException {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            String ports = "imap:\n  port: 0\n  tls-port: 0\n" + "smtp:\n  port: 0\n"
                + "submission:\n  port: 0\n  tls-port: 0\n" + "http:\n  port: 0\n";
            ports = ports.replace(section + ":\n" + (key.equals("port") ? "  port: 0" : "  port: 0\n  tls-port: 0"),
                section + ":\n" + (key.equals("port") ? "  port: " + taken.getLocalPort()
                    : "  port: 0\n  tls-port: " + taken.getLocalPort()));
            Path file = Files.writeString(dir.resolve("taken.yaml"), "storage:\n  data-dir: " + dir.resolve("data")
                + "\nserver:\n  warm-up:\n    enabled: false\n" + ports);
            CliRun run = CliRun.run(dir, "", "start", "--config", file.toString());

            assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.LISTENER);
            assertThat(run.errLines()).singleElement().asString()
                .contains(expected + taken.getLocalPort() + " failed to start: ")
                .containsIgnoringCase("already in use");
        }
    }

    @Test
    void invalidConfigurationStopsStartWithFileLineAndKey() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "smtp:\n  port: 99999\n");
        CliRun run = CliRun.run(dir, "", "start", "--config", file.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.errLines()).containsExactly(
            file + ":2: smtp.port: port must be between 1 and 65535 (or 0 for any free port), was 99999");
        assertThat(run.out()).isEmpty();
    }

    private Path config(Path dataDir) throws IOException {
        return Files.writeString(dir.resolve("mailroom.yaml"), "storage:\n  data-dir: " + dataDir + "\n");
    }
}
