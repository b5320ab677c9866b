package org.mailroom.storage.schema;

import java.sql.Connection;
import java.sql.SQLException;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.flywaydb.core.Flyway;

/**
 * A Derby store in {@code settings}' folder migrated up to an older schema version, for the migration tests: they
 * write rows as that version stored them, {@link #close()} it, then open it with {@link Database#open}, which applies
 * the migrations after it.
 */
final class DerbySchemaAt implements AutoCloseable {
    private final EmbeddedDataSource dataSource = new EmbeddedDataSource();

    DerbySchemaAt(DatabaseSettings settings, String version) {
        dataSource.setDatabaseName(settings.embeddedDatabasePath().toString());
        dataSource.setCreateDatabase("create");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration")
            .placeholders(Dialect.DERBY.schemaPlaceholders()).table("mr_schema_history").target(version).load().migrate();
    }

    Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /** Shuts the database down, so that {@link Database#open} can open the same files. */
    @Override
    public void close() {
        try {
            dataSource.setShutdownDatabase("shutdown");
            dataSource.getConnection().close();
        } catch (SQLException expected) {
            // Derby reports a clean shutdown as an exception
        }
    }
}
