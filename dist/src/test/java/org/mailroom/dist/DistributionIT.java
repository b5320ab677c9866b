package org.mailroom.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball {@code mvn package} made, as an operator gets it: unpacked with tar, its {@code bin/mailroom} run as a
 * separate process for an admin command, then to start the server, answer HTTP, take an admin command while
 * running, and stop on SIGTERM.
 */
class DistributionIT {
    private static final Pattern HTTP_LINE = Pattern.compile("running    HTTP +127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    @Test
    void unpackedTarballRunsAdminCommandsAndTheServer() throws Exception {
        Path tarball = Path.of(System.getProperty("mailroom.tarball"));
        assertThat(tarball).exists();
        run(dir, "tar", "xzf", tarball.toString());
        Path home = dir.resolve("mailroom-" + System.getProperty("mailroom.version"));
        Path launcher = home.resolve("bin/mailroom");
        assertThat(Files.getPosixFilePermissions(launcher)).contains(PosixFilePermission.OWNER_EXECUTE);
        assertThat(home.resolve("conf/mailroom.yaml")).exists();
        assertThat(home.resolve("systemd/mailroom.service")).content().contains("ProtectSystem=strict", "NoNewPrivileges=yes",
            "ReadWritePaths=/var/lib/mailroom", "User=mailroom");
        assertThat(home.resolve("container/Containerfile")).content().contains("FROM docker.io/library/eclipse-temurin:17-jre");
        assertThat(home.resolve("README")).content().contains("Mailroom " + System.getProperty("mailroom.version"));
        try (var jars = Files.list(home.resolve("lib"))) {
            assertThat(jars.map(p -> p.getFileName().toString()))
                .anyMatch(name -> name.startsWith("mailroom-dist-"))
                .anyMatch(name -> name.startsWith("derby-"))
                .anyMatch(name -> name.startsWith("apache-jdkim-library-"));
        }

        // The default configuration, data in ./data of the working directory: what a newcomer runs first.
        Path work = Files.createDirectories(dir.resolve("work"));
        assertThat(run(work, launcher.toString(), "admin", "domain", "add", "example.org")).isEqualTo("Added domain example.org\n");
        assertThat(run(work, launcher.toString(), "admin", "domain", "list")).isEqualTo("example.org\n");
        assertThat(work.resolve("data/db")).isDirectory();

        // Started on free ports (other builds may use the default ones), then asked over HTTP and the admin path.
        Path config = Files.writeString(work.resolve("test.yaml"), "storage:\n  data-dir: ./data\n"
            + "smtp:\n  port: 0\nsubmission:\n  port: 0\n  tls-port: 0\nimap:\n  port: 0\n  tls-port: 0\nhttp:\n  port: 0\n");
        Process server = new ProcessBuilder(launcher.toString(), "start", "--config", config.toString())
            .directory(work.toFile()).redirectErrorStream(true).start();
        StringBuffer output = new StringBuffer();
        CountDownLatch running = new CountDownLatch(1);
        Thread drain = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    output.append(line).append('\n');
                    if (line.contains("Mailroom is running")) {
                        running.countDown();
                    }
                }
            } catch (IOException closed) {
                // the process ended
            }
        });
        drain.start();
        try {
            assertThat(running.await(120, TimeUnit.SECONDS)).as(output.toString()).isTrue();
            Matcher http = HTTP_LINE.matcher(output);
            assertThat(http.find()).as(output.toString()).isTrue();
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + http.group(1) + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).isEqualTo("ok\n");

            // The embedded store is held by the server: this goes through its admin endpoint.
            assertThat(run(work, launcher.toString(), "--config", config.toString(), "admin", "domain", "add", "example.net"))
                .isEqualTo("Added domain example.net\n");
            assertThat(run(work, launcher.toString(), "--config", config.toString(), "admin", "domain", "list"))
                .isEqualTo("example.net\nexample.org\n");

            assertThat(run(work, launcher.toString(), "--config", config.toString(), "status"))
                .startsWith("Mailroom is running (pid " + server.pid() + ")");
            // stop sends SIGTERM, as an init system does, and returns once the server has exited.
            assertThat(run(work, launcher.toString(), "--config", config.toString(), "stop"))
                .isEqualTo("Mailroom (pid " + server.pid() + ") stopped.\n");
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
            Process status = new ProcessBuilder(launcher.toString(), "--config", config.toString(), "status")
                .directory(work.toFile()).redirectErrorStream(true).start();
            assertThat(new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .startsWith("Mailroom is not running");
            assertThat(status.waitFor()).isEqualTo(1);
            drain.join(10_000);
            assertThat(server.exitValue()).isEqualTo(143);
            assertThat(output.toString()).contains("Mailroom stopped.");
            assertThat(work.resolve("data/admin-endpoint")).doesNotExist();
        } finally {
            server.destroyForcibly();
        }
    }

    /** Runs a command to completion in {@code directory} and returns its standard output; fails on a non-zero exit. */
    private static String run(Path directory, String... command) throws Exception {
        Process process = new ProcessBuilder(List.of(command)).directory(directory.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + err).isZero();
        return out;
    }
}
