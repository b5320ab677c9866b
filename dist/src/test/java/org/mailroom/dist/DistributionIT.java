package org.mailroom.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball {@code mvn package} made, as an operator gets it: its content checked, then the newcomer's whole path
 * run once by {@code src/test/scripts/newcomer.sh} with real processes and clients (unpack with tar, admin commands
 * with the server stopped, {@code bin/mailroom start}, swaks over submission and MX, curl over IMAPS from the folders
 * the sorter chose, an admin command through the running server, {@code bin/mailroom stop}, no java left).
 */
class DistributionIT {
    private static final Path NEWCOMER = Path.of("src/test/scripts/newcomer.sh");
    private static final Path CLASS_DATA_SHARING = Path.of("src/test/scripts/class-data-sharing.sh");

    @TempDir
    Path dir;

    @Test
    void tarballHoldsTheLauncherLibrariesConfigurationAndPackaging() throws Exception {
        run(dir, "tar", "xzf", tarball().toString());
        Path home = dir.resolve("mailroom-" + System.getProperty("mailroom.version"));
        Path launcher = home.resolve("bin/mailroom");
        assertThat(Files.getPosixFilePermissions(launcher)).contains(PosixFilePermission.OWNER_EXECUTE);
        assertThat(home.resolve("conf/mailroom.yaml")).exists();
        assertThat(home.resolve("bin/class-data-sharing.sh")).exists();
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
    }

    @Test
    void newcomerScriptRunsTheUnpackedServerWithRealClients() throws Exception {
        boolean installed = List.of("/usr/bin/swaks", "/usr/bin/curl", "/usr/bin/python3").stream()
            .allMatch(tool -> Files.isExecutable(Path.of(tool)));
        // CI installs them (.ci/run): there a missing client is a failure, not a reason to skip.
        if (System.getenv("CI") != null && !installed) {
            throw new IllegalStateException("swaks, curl and python3 are required in CI");
        }
        assumeTrue(installed, "swaks, curl or python3 missing (apt-get install swaks curl python3)");
        Process script = new ProcessBuilder("bash", NEWCOMER.toString(), tarball().toString(), dir.toString())
            .redirectErrorStream(true).start();
        String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(script.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(script.exitValue()).as(output).isZero();
        assertThat(output).contains("Added user alice@example.org", "Added rule 1",
            "stopped.", "NEWCOMER OK");
    }

    /**
     * The launcher's class data sharing, by {@code src/test/scripts/class-data-sharing.sh} with real starts: the
     * first orderly stop writes the archive, the next start maps it, a changed jar makes the old one unused and
     * replaced, and an archive the JVM refuses neither stops the server from starting nor shows in its output.
     */
    @Test
    void launcherMakesUsesAndOutlivesAStaleClassDataArchive() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "reads /proc/PID/maps (Linux)");
        Process script = new ProcessBuilder("bash", CLASS_DATA_SHARING.toString(), tarball().toString(), dir.toString())
            .redirectErrorStream(true).start();
        String output = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(script.waitFor(20, TimeUnit.MINUTES)).isTrue();
        assertThat(script.exitValue()).as(output).isZero();
        assertThat(output).contains("CLASS DATA SHARING OK");
    }

    private static Path tarball() {
        Path tarball = Path.of(System.getProperty("mailroom.tarball"));
        assertThat(tarball).exists();
        return tarball;
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
