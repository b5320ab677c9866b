package org.mailroom.dist.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The configuration file a value came from, so that a problem found after loading (a certificate that cannot be
 * read when the server starts or reloads it) is still reported as {@code file:line: key: problem}.
 */
public final class ConfigOrigin {
    private final Path file;
    private final KeyLines lines;

    ConfigOrigin(Path file, KeyLines lines) {
        this.file = file;
        this.lines = lines;
    }

    /** The file itself, as it was named on the command line or in the environment. */
    public Path file() {
        return file;
    }

    /** A path written in the file: a relative one is taken relative to the directory the file is in. */
    public Path resolve(String path) {
        Path absoluteDirectory = file.toAbsolutePath().getParent();
        return absoluteDirectory.resolve(path).normalize();
    }

    /** A one-line error about a key of this file, on the line where the key is written. */
    public ConfigException problem(String key, String message, Throwable cause) {
        return new ConfigException(List.of(ConfigLoader.format(file, lines.lineOf(key), key, message)), cause);
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
