package org.mailroom.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path with the clients a user would use: {@code swaks} sends to the MX port of a running Mailroom,
 * Python's {@code imaplib} reads the message back over IMAPS from the folder the sorter chose (a user rule's
 * Priority, or INBOX), with the sorter's {@code X-Mailroom-Sort} trace header (dist/src/test/scripts/).
 */
class SwaksToImapScriptTest {
    private static final Path SCRIPT = Path.of("src/test/scripts/swaks-to-imap.sh");
    private static final String USER = "alice@example.org";
    private static final String PASSWORD = "a-long-password";

    @TempDir
    Path dir;

    @Test
    void swaksSendsImaplibReadsFromTheFolderTheSorterChose() throws Exception {
        boolean installed = Files.isExecutable(Path.of("/usr/bin/swaks")) && Files.isExecutable(Path.of("/usr/bin/python3"));
        // CI installs both (.ci/run): there a missing client is a failure, not a reason to skip.
        if (System.getenv("CI") != null && !installed) {
            throw new IllegalStateException("swaks and python3 are required in CI");
        }
        assumeTrue(installed, "swaks or python3 missing (apt-get install swaks python3)");

        Path config = TestServer.config(dir);
        Files.writeString(dir.resolve("rules"),
            "if from domain \"boss.example\" and subject contains \"quarterly\" then priority\n");
        assertThat(CliRun.run(dir, "", "--config", config.toString(), "admin", "domain", "add", "example.org")
            .exitCode()).isZero();
        assertThat(CliRun.run(dir, PASSWORD + "\n", "--config", config.toString(), "admin", "user", "add", USER,
            "--password-stdin").exitCode()).isZero();

        try (RunningMailroom running = TestServer.launch(config)) {
            Map<String, String> common = Map.of(
                "SMTP_PORT", Integer.toString(running.smtpPort()),
                "IMAP_PORT", Integer.toString(running.imapTlsPort()),
                "IMAP_CA", dir.resolve("data/tls/certificate.pem").toString(),
                "USER_ADDRESS", USER,
                "USER_PASSWORD", PASSWORD);

            String priority = run(common, "ceo@boss.example", "quarterly numbers", "Priority");
            assertThat(priority).contains("X-Mailroom-Sort: category=priority").contains("rule=");

            String inbox = run(common, "friend@pal.example", "weekend plans", "INBOX");
            assertThat(inbox).contains("X-Mailroom-Sort: category=inbox");
        }
    }

    private String run(Map<String, String> common, String from, String subject, String folder)
        throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of("bash", SCRIPT.toString())).redirectErrorStream(true);
        builder.environment().putAll(common);
        builder.environment().put("FROM", from);
        builder.environment().put("SUBJECT", subject);
        builder.environment().put("FOLDER", folder);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
