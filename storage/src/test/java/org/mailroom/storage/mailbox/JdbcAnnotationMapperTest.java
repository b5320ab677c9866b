package org.mailroom.storage.mailbox;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.AnnotationMapper;
import org.apache.james.mailbox.store.mail.model.AnnotationMapperTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;

/** James's annotation mapper contract run against Derby, on real mailbox rows (annotations reference them). */
class JdbcAnnotationMapperTest extends AnnotationMapperTest {
    @TempDir
    static Path dataDir;
    static Database db;
    static final AtomicInteger mailboxNames = new AtomicInteger();

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
        // ON DELETE CASCADE removes the annotations with their mailboxes.
        db.transactionVoid(c -> c.createStatement().executeUpdate("DELETE FROM mr_mailbox"));
    }

    @Override
    protected AnnotationMapper createAnnotationMapper() {
        return new JdbcAnnotationMapper(db);
    }

    @Override
    protected MailboxId generateMailboxId() {
        return db.transaction(c -> {
            try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO mr_mailbox (namespace, owner, name, uid_validity, last_uid, highest_modseq)"
                    + " VALUES ('#private', 'user', ?, 1, 0, 0)", Statement.RETURN_GENERATED_KEYS)) {
                insert.setString(1, "box" + mailboxNames.incrementAndGet());
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    return StoredMailboxId.of(keys.getLong(1));
                }
            }
        });
    }
}
