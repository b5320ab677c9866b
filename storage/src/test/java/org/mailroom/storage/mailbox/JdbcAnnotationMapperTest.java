package org.mailroom.storage.mailbox;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.AnnotationMapper;
import org.apache.james.mailbox.store.mail.model.AnnotationMapperTest;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/**
 * James's annotation mapper contract run against the shared Derby database (emptied before each test), on real
 * mailbox rows (annotations reference them).
 */
class JdbcAnnotationMapperTest extends AnnotationMapperTest {
    static final AtomicInteger mailboxNames = new AtomicInteger();
    private Database db;

    /** The database this suite runs on, emptied; the PostgreSQL twin overrides it. */
    protected Database database() {
        return TestDatabases.derby();
    }

    @Override
    protected AnnotationMapper createAnnotationMapper() {
        // The contract's setUp calls this first, then generateMailboxId().
        db = database();
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
