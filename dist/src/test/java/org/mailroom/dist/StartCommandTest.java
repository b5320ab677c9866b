package org.mailroom.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartCommandTest {
    @TempDir
    Path dir;

    @Test
    void opensTheStoreNamesWhatIsNotBuiltAndExitsZero() throws IOException {
        Path data = dir.resolve("data");
        CliRun run = CliRun.run(dir, "", "start", "--config", config(data).toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
            .contains("store: " + data.resolve("db"))
            .contains("running    mailbox manager: MailroomMailboxManager over the store (0 domains, 0 users)")
            .contains("not yet    SMTP inbound     MX on 127.0.0.1:2525")
            .contains("not yet    SMTP submission  127.0.0.1:2587 STARTTLS, 127.0.0.1:2465 TLS")
            .contains("not yet    IMAP             127.0.0.1:2143 STARTTLS, 127.0.0.1:2993 TLS")
            .contains("not yet    sorter")
            .contains("not yet    outbound queue")
            .contains("Store closed");
        assertThat(data.resolve("db/service.properties")).exists();
    }

    @Test
    void usesTheInstallRootConfigurationWhenNoneIsNamed() throws IOException {
        Files.createDirectories(dir.resolve("conf"));
        Files.move(config(dir.resolve("data")), dir.resolve("conf/mailroom.yaml"));
        CliRun run = CliRun.run(dir, "", "start");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("configuration " + dir.resolve("conf/mailroom.yaml"));
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
