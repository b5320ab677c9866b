package org.mailroom.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warm-up folder left by a start killed during its warm-up is deleted by the next start, and only then: while
 * its owner lives (another process, or this JVM) it stays. The owner here is a real second JVM killed with
 * SIGKILL, so the lock is released by the operating system, as after a real kill.
 */
class WarmUpFolderTest {
    @TempDir
    Path root;

    @Test
    void aFolderIsDeletedOnlyOnceTheProcessThatOwnedItIsKilled() throws Exception {
        Process owner = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
            Owner.class.getName(), root.toString())
            .redirectErrorStream(true).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(owner.getInputStream(),
                StandardCharsets.UTF_8));
            Path folder = Path.of(lines.readLine());
            assertThat(folder.getParent()).isEqualTo(root);
            assertThat(folder.getFileName().toString()).startsWith(WarmUpFolder.PREFIX);

            WarmUpFolder.deleteAbandoned(root);
            assertThat(folder).isDirectory();

            owner.destroyForcibly();
            assertThat(owner.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(folder).isDirectory();

            WarmUpFolder.deleteAbandoned(root);
            assertThat(folder).doesNotExist();
        } finally {
            owner.destroyForcibly();
        }
    }

    @Test
    void thisJvmsOwnFolderStaysAndCloseDeletesIt() throws Exception {
        try (WarmUpFolder running = WarmUpFolder.create(root)) {
            Files.writeString(running.path().resolve("derby.log"), "booted");
            WarmUpFolder.deleteAbandoned(root);
            assertThat(running.path()).isDirectory();
        }
        try (var left = Files.list(root)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aFolderWithoutItsLockFileIsDeletedOnlyWhenOld() throws Exception {
        Path fresh = Files.createDirectory(root.resolve(WarmUpFolder.PREFIX + "1"));
        Path old = Files.createDirectory(root.resolve(WarmUpFolder.PREFIX + "2"));
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        Path unrelated = Files.createDirectory(root.resolve("mailroom-data"));
        Files.setLastModifiedTime(unrelated, FileTime.from(Instant.now().minus(Duration.ofHours(1))));

        WarmUpFolder.deleteAbandoned(root);

        assertThat(fresh).isDirectory();
        assertThat(old).doesNotExist();
        assertThat(unrelated).isDirectory();
    }

    /** A start in its warm-up: creates and holds a folder in the given root, prints its path, and waits. */
    public static final class Owner {
        public static void main(String[] args) throws Exception {
            WarmUpFolder folder = WarmUpFolder.create(Path.of(args[0]));
            System.out.println(folder.path());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
