package org.mailroom.storage.schema;

import java.sql.Connection;
import java.sql.SQLException;

/** Functional shapes for JDBC work, so callers can use lambdas that throw {@link SQLException}. */
public final class Sql {
    private Sql() {
    }

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    @FunctionalInterface
    public interface VoidWork {
        void run(Connection connection) throws SQLException;
    }
}
