package org.mailroom.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailroom start} with a broken configuration, through the command line as an operator meets it: exit code 3,
 * one {@code file:line: key: problem} line on standard error, nothing started.
 */
class ConfigErrorsAtStartTest {
    @TempDir
    Path dir;

    @Test
    void unknownKeyStopsStartWithFileLineAndKey() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "smtp:\n  port: 0\n  prot: 25\n");
        assertOneLineAndExit3(file, file + ":3: smtp.prot: ");
    }

    @Test
    void wrongTypeStopsStartWithFileLineAndKey() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "imap:\n  port: twenty\n");
        assertOneLineAndExit3(file, file + ":2: imap.port: ");
    }

    @Test
    void unreadableCertificateStopsStartWithFileLineAndKey() throws IOException {
        Files.writeString(dir.resolve("cert.pem"), "not a certificate\n");
        Files.writeString(dir.resolve("key.pem"), "not a key either\n");
        Path file = Files.writeString(dir.resolve("bad.yaml"), "storage:\n  data-dir: " + dir.resolve("data") + "\n"
            + "tls:\n  certificate: cert.pem\n  private-key: key.pem\n");
        assertOneLineAndExit3(file, file + ":4: tls.certificate: cannot read " + dir.resolve("cert.pem"));
    }

    private void assertOneLineAndExit3(Path file, String start) {
        CliRun run = CliRun.run(dir, "", "start", "--config", file.toString());
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.CONFIG);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines()[0]).startsWith(start);
        assertThat(run.out()).doesNotContain("Mailroom is running");
    }
}
