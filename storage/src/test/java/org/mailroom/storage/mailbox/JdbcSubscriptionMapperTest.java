package org.mailroom.storage.mailbox;

import java.nio.file.Path;

import org.apache.james.mailbox.store.user.SubscriptionMapper;
import org.apache.james.mailbox.store.user.SubscriptionMapperTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;

/** James's subscription mapper contract run against Derby; one database per class keeps the suite fast. */
class JdbcSubscriptionMapperTest extends SubscriptionMapperTest {
    @TempDir
    static Path dataDir;
    static Database db;

    @BeforeAll
    static void openDatabase() {
        db = Database.open(DatabaseSettings.embedded(dataDir));
    }

    @AfterAll
    static void closeDatabase() {
        db.close();
    }

    @AfterEach
    void deleteRows() {
        db.transactionVoid(c -> c.createStatement().executeUpdate("DELETE FROM mr_subscription"));
    }

    @Override
    protected SubscriptionMapper createSubscriptionMapper() {
        return new JdbcSubscriptionMapper(db);
    }
}
