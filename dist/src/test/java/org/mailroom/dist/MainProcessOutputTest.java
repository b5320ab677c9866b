package org.mailroom.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code mailroom} process, not the in-process command tree the other CLI tests drive: what a command
 * writes must reach its standard output before the JVM exits. {@code admin explain --file} writes its breakdown
 * with {@code print}, which the auto-flushing writer does not flush; the process exited with 0 and printed nothing.
 */
class MainProcessOutputTest {

    @TempDir
    Path dir;

    @Test
    void explainOfAFilePrintsItsBreakdownFromTheRealProcess() throws Exception {
        Path config = TestServer.config(dir);
        Path message = Files.writeString(dir.resolve("m.eml"),
            "From: Ann <ann@example.net>\r\nTo: bob@example.org\r\nSubject: lunch\r\n\r\nAre you free today?\r\n");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
            "admin", "explain", "--config=" + config, "--file=" + message)
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(out).contains("category:").contains("importance-thread").endsWith("\n");
    }
}
