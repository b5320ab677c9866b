package org.mailroom.dist.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code <data-dir>/admin-endpoint}: written by a running server, it says which process holds the store, the
 * loopback port of its admin endpoint and the token that endpoint demands. Readable by its owner only, so only
 * the server's user (and root) can administer a running server, exactly as only they can open the store files.
 * The server deletes it when it stops; one left by a killed server is recognised by its dead process id.
 */
public record AdminEndpointFile(long pid, int port, String token) {
    static final String NAME = "admin-endpoint";

    /** A new random token for this process and port. */
    static AdminEndpointFile create(int port) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new AdminEndpointFile(ProcessHandle.current().pid(), port,
            Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
    }

    /** Writes the file owner-only from its first byte (a temporary file moved into place). */
    void write(Path dataDirectory) {
        Path target = dataDirectory.resolve(NAME);
        try {
            Path temporary = Files.createTempFile(dataDirectory, NAME, ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, "pid=" + pid + "\nport=" + port + "\ntoken=" + token + "\n");
            try {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Removes the file if it is still this process's (a newer server may have replaced it). */
    void delete(Path dataDirectory) {
        if (read(dataDirectory).filter(this::equals).isPresent()) {
            try {
                Files.deleteIfExists(dataDirectory.resolve(NAME));
            } catch (IOException e) {
                // Left behind, it is recognised as stale by its process id.
            }
        }
    }

    /** The endpoint of a server that is running now, if any; a file whose process is gone does not count. */
    public static Optional<AdminEndpointFile> ofRunningServer(Path dataDirectory) {
        return read(dataDirectory).filter(file -> ProcessHandle.of(file.pid()).map(ProcessHandle::isAlive).orElse(false));
    }

    static Optional<AdminEndpointFile> read(Path dataDirectory) {
        Properties values = new Properties();
        try (var in = Files.newBufferedReader(dataDirectory.resolve(NAME))) {
            values.load(in);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ControlException("the server's admin endpoint file " + dataDirectory.resolve(NAME)
                + " cannot be read (" + e.getMessage() + "); run admin commands as the user the server runs as");
        }
        try {
            return Optional.of(new AdminEndpointFile(Long.parseLong(values.getProperty("pid", "")),
                Integer.parseInt(values.getProperty("port", "")), values.getProperty("token", "")));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "AdminEndpointFile[pid=" + pid + ", port=" + port + ", token=***]";
    }
}
