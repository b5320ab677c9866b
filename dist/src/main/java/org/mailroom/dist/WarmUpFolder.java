package org.mailroom.dist;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm-up's temporary directory ({@code mailroom-warm-up-*} in the system's temporary folder), owned through a
 * lock on a file inside it for as long as the warm-up runs. A start killed during its warm-up (SIGKILL, power loss)
 * cannot delete it; the operating system releases the lock with the process, so the next start finds the folder
 * unlocked and deletes it. A folder whose lock is held, by another process or by this JVM, is some running
 * warm-up's and is left alone. Process ids are not used: in a container a restarted server often gets the same pid.
 */
final class WarmUpFolder implements AutoCloseable {
    static final String PREFIX = "mailroom-warm-up-";
    private static final String OWNER_LOCK = "owner.lock";
    /**
     * A folder without its lock file is one whose owner has only just created it (the lock follows at once) or
     * was killed in between; it counts as abandoned once older than the longest warm-up (10 minutes of work, see
     * WarmUpConfig) could be.
     */
    private static final Duration UNLOCKED_GRACE = Duration.ofMinutes(15);
    private static final Logger LOG = LoggerFactory.getLogger(WarmUpFolder.class);

    private final Path path;
    private final FileChannel lockFile;

    private WarmUpFolder(Path path, FileChannel lockFile) {
        this.path = path;
        this.lockFile = lockFile;
    }

    /** A new folder in {@code root}, locked by this process until {@link #close()}. */
    static WarmUpFolder create(Path root) throws IOException {
        Path path = Files.createTempDirectory(root, PREFIX);
        FileChannel channel = FileChannel.open(path.resolve(OWNER_LOCK), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);
        try {
            channel.lock();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new WarmUpFolder(path, channel);
    }

    Path path() {
        return path;
    }

    /** Releases the lock and deletes the folder with everything in it. */
    @Override
    public void close() {
        try {
            lockFile.close();
        } catch (IOException e) {
            LOG.warn("warm-up: could not release the lock of {}: {}", path, e.toString());
        }
        delete(path);
    }

    /** Deletes every warm-up folder in {@code root} that no live process owns (left by a killed start). */
    static void deleteAbandoned(Path root) {
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(root, PREFIX + "*")) {
            for (Path folder : folders) {
                if (Files.isDirectory(folder) && abandoned(folder)) {
                    LOG.info("warm-up: deleting {}, left by a start that did not finish its warm-up", folder);
                    delete(folder);
                }
            }
        } catch (IOException e) {
            LOG.warn("warm-up: could not look for abandoned folders in {}: {}", root, e.toString());
        }
    }

    private static boolean abandoned(Path folder) throws IOException {
        Path lock = folder.resolve(OWNER_LOCK);
        if (!Files.exists(lock)) {
            FileTime modified = Files.getLastModifiedTime(folder);
            return modified.toInstant().isBefore(Instant.now().minus(UNLOCKED_GRACE));
        }
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            FileLock free = channel.tryLock();
            // null: another process holds it. Released again when the channel closes, before the deletion.
            return free != null;
        } catch (OverlappingFileLockException e) {
            // This JVM holds it: a warm-up running beside this one (tests start servers in one JVM).
            return false;
        } catch (NoSuchFileException e) {
            // Its owner finished and deleted it meanwhile.
            return false;
        }
    }

    private static void delete(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (NoSuchFileException e) {
            // Gone already (its owner and a later start's clean-up may both delete it).
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.warn("warm-up: could not delete {}: {}", directory, e.toString());
        }
    }
}
