package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code src/test/scripts/imap-clients.sh} — curl, Python imaplib and mbsync (isync), as installed by
 * {@code .ci/run} — against an IMAPS listener started here on a free port. A missing tool fails the test when the
 * {@code CI} (or {@code MAILROOM_REQUIRE_E2E_TOOLS}) environment variable is set, and skips it otherwise.
 */
class ImapClientsScriptTest {

    private static final String USER_LOCAL_PART = "e2e";
    private static final String PASSWORD = "e2e-Passw0rd";
    private static final List<String> TOOLS = List.of("bash", "curl", "python3", "mbsync");

    @TempDir
    Path directory;

    @Test
    void curlImaplibAndMbsyncAgainstTheLiveServer() throws Exception {
        requireTools();
        Path script = Path.of("src", "test", "scripts", "imap-clients.sh").toAbsolutePath();
        assertThat(script).exists();

        try (ImapTestServers fixture = new ImapTestServers(directory);
             MailroomImapServer server = fixture.start(MailroomImapServer.Settings
                 .implicitTls(ImapTestServers.LOOPBACK, 0, "localhost")
                 .withLimits(ImapLimits.defaults().withThrottle(LoginThrottle.Policy.disabled())))) {
            String user = USER_LOCAL_PART + "@example.test";
            fixture.users.add(user, PASSWORD.toCharArray());

            Path ca = directory.resolve("ca.pem");
            Files.writeString(ca, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(fixture.certificate.certificate().getEncoded())
                + "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
            Path work = Files.createDirectories(directory.resolve("work"));
            Path log = directory.resolve("script.log");

            ProcessBuilder builder = new ProcessBuilder("bash", script.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Map<String, String> env = builder.environment();
            env.put("IMAP_HOST", "127.0.0.1");
            env.put("IMAP_PORT", String.valueOf(server.port()));
            env.put("IMAP_USER", user);
            env.put("IMAP_PASSWORD", PASSWORD);
            env.put("IMAP_CA", ca.toString());
            env.put("WORK_DIR", work.toString());
            env.put("HOME", work.toString()); // mbsync and curl read nothing from the real home
            // -Dn: mbsync prints the protocol lines (passwords masked), which show COMPRESS negotiated.
            env.put("MBSYNC_DEBUG", System.getProperty("mbsync.debug", "-Dn"));
            env.put("MBSYNC_TIMEOUT", System.getProperty("mbsync.timeout", "30"));
            // 0: mbsync's own pipelining (several commands in flight), which the server runs in order
            env.put("MBSYNC_PIPELINE_DEPTH", System.getProperty("mbsync.pipelineDepth", "0"));
            // mbsync runs unless -De2e.mbsync=false. It negotiates COMPRESS=DEFLATE whenever it is offered; with
            // James's JZlib handlers it stalled on its second "UID FETCH n (BODY.PEEK[])" (DeflateCompressProcessor).
            boolean mbsync = !"false".equals(System.getProperty("e2e.mbsync"));
            env.put("E2E_MBSYNC", mbsync ? "1" : "0");
            Process process = builder.start();
            boolean finished = process.waitFor(150, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println(output);
            assertThat(finished).as("script timed out:\n" + output).isTrue();
            assertThat(process.exitValue()).as("script failed:\n" + output).isZero();
            assertThat(output).contains("imaplib: session OK", "curl: fetched UID 1", "ALL CLIENT CHECKS PASSED");
            if (mbsync) {
                assertThat(output).contains("mbsync: 2 messages synced", "'For mbsync' has \\Seen",
                    "mbsync: server-side message synced");
                // each of the three runs compressed its session, and synced over it
                assertThat(Pattern.compile("(?m)^\\d+ OK COMPRESS DEFLATE active").matcher(output).results().count())
                    .as("mbsync sessions with COMPRESS=DEFLATE:\n" + output).isEqualTo(3);
            }
        }
    }

    private static void requireTools() {
        List<String> missing = new ArrayList<>();
        for (String tool : TOOLS) {
            if (!onPath(tool)) {
                missing.add(tool);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String message = "missing command(s) " + missing + " (Debian packages: curl, isync, python3; .ci/run installs them)";
        if (System.getenv("CI") != null || System.getenv("MAILROOM_REQUIRE_E2E_TOOLS") != null) {
            fail(message);
        }
        Assumptions.abort(message + ": skipped outside CI");
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
