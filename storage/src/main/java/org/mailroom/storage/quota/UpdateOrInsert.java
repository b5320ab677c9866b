package org.mailroom.storage.quota;

import java.sql.Connection;
import java.sql.SQLException;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.StorageException;

/**
 * Writes one keyed row without MERGE or UPSERT, which Derby and PostgreSQL do not share: update the row, insert
 * it when the update touched nothing, all in one transaction.
 */
final class UpdateOrInsert {
    /** Two writers racing to create the same row: the loser's retry finds the row and updates it. */
    private static final int ATTEMPTS = 3;

    @FunctionalInterface
    interface Statement {
        int run(Connection connection) throws SQLException;
    }

    private UpdateOrInsert() {
    }

    static void run(Database db, Statement update, Statement insert) {
        for (int attempt = 1; ; attempt++) {
            try {
                db.transactionVoid(connection -> {
                    if (update.run(connection) == 0) {
                        insert.run(connection);
                    }
                });
                return;
            } catch (StorageException e) {
                // PostgreSQL aborts the whole transaction on a duplicate key, so the retry starts a new one.
                if (attempt >= ATTEMPTS || !(e.getCause() instanceof SQLException sql) || !db.dialect().isDuplicateKey(sql)) {
                    throw e;
                }
            }
        }
    }
}
