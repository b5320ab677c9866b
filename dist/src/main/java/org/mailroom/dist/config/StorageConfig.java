package org.mailroom.dist.config;

import java.nio.file.Path;

import org.mailroom.storage.schema.DatabaseSettings;

/**
 * The {@code storage} section: the data directory, and optionally a JDBC URL that replaces the embedded Derby
 * database (Derby network server or PostgreSQL). Components are boxed only so that Jackson can leave them out;
 * after construction none is null except the optional JDBC settings.
 */
public record StorageConfig(String dataDir, String jdbcUrl, String jdbcUser, String jdbcPassword, Integer poolSize) {

    public StorageConfig {
        dataDir = dataDir != null ? dataDir : "./data";
        poolSize = poolSize != null ? poolSize : 16;
    }

    /** The data directory, resolved against the directory the process was started in. */
    public Path dataDirectory() {
        return Path.of(dataDir).toAbsolutePath().normalize();
    }

    /** The settings the store opens with. */
    public DatabaseSettings databaseSettings() {
        DatabaseSettings settings = jdbcUrl == null
            ? DatabaseSettings.embedded(dataDirectory())
            : DatabaseSettings.jdbc(dataDirectory(), jdbcUrl, jdbcUser, jdbcPassword);
        return settings.withPoolSize(poolSize);
    }

    // The password must never reach a log line or an error message through toString.
    @Override
    public String toString() {
        return "StorageConfig[dataDir=" + dataDir + ", jdbcUrl=" + jdbcUrl + ", jdbcUser=" + jdbcUser
            + ", jdbcPassword=" + (jdbcPassword == null ? "null" : "***") + ", poolSize=" + poolSize + "]";
    }
}
