package org.mailroom.storage.schema;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the store lives: an embedded Derby database in a data directory (the default), or any JDBC URL
 * (Derby network server, PostgreSQL) with its credentials.
 */
public record DatabaseSettings(Path dataDirectory, Optional<String> jdbcUrl, Optional<String> user,
                               Optional<String> password, int poolSize) {

    public DatabaseSettings {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
        }
    }

    /** The embedded default: Derby files under {@code dataDirectory/db}. */
    public static DatabaseSettings embedded(Path dataDirectory) {
        return new DatabaseSettings(dataDirectory, Optional.empty(), Optional.empty(), Optional.empty(), 16);
    }

    public static DatabaseSettings jdbc(Path dataDirectory, String url, String user, String password) {
        return new DatabaseSettings(dataDirectory, Optional.of(url), Optional.ofNullable(user), Optional.ofNullable(password), 16);
    }

    public DatabaseSettings withPoolSize(int size) {
        return new DatabaseSettings(dataDirectory, jdbcUrl, user, password, size);
    }

    public boolean isEmbedded() {
        return jdbcUrl.isEmpty();
    }

    /** The embedded Derby database folder. */
    public Path embeddedDatabasePath() {
        return dataDirectory.toAbsolutePath().normalize().resolve("db");
    }
}
