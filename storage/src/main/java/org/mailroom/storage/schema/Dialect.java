package org.mailroom.storage.schema;

import java.sql.SQLException;
import java.util.Map;

/**
 * Everything that differs between the SQL engines Mailroom runs on. The schema and every statement are
 * written once in portable SQL; the few type names that differ are Flyway placeholders filled from here.
 */
public enum Dialect {
    DERBY("BLOB", "CLOB"),
    POSTGRESQL("BYTEA", "TEXT");

    private final String binaryType;
    private final String longTextType;

    Dialect(String binaryType, String longTextType) {
        this.binaryType = binaryType;
        this.longTextType = longTextType;
    }

    public static Dialect fromJdbcUrl(String url) {
        if (url.startsWith("jdbc:derby:")) {
            return DERBY;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new StorageStartupException("Unsupported JDBC URL '" + url
            + "': Mailroom runs on Derby (jdbc:derby:...) or PostgreSQL (jdbc:postgresql:...)");
    }

    /** Placeholders substituted into the migration scripts. */
    public Map<String, String> schemaPlaceholders() {
        return Map.of("binary", binaryType, "longtext", longTextType);
    }

    /** SQLState 23505 is the standard unique-constraint violation on both engines. */
    public boolean isDuplicateKey(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
