package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.ByteContent;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/**
 * No membership outlives its mailbox, although no foreign key ties them any more (V11): appends racing with the
 * deletion of their mailbox either land before it (and are deleted with it) or fail. Driven through the mappers,
 * without James's in-JVM path lock, as two servers sharing one database would.
 */
class MailboxDeleteRaceTest {
    /** The database this suite runs on, emptied; the PostgreSQL twin overrides it. */
    protected Database database() {
        return TestDatabases.derby();
    }

    @Test
    void appendsRacingWithTheDeletionOfTheirMailboxLeaveNoMembershipBehind() throws Exception {
        Database db = database();
        JdbcMailboxMapper mailboxes = new JdbcMailboxMapper(db);
        JdbcMessageMapper messages = new JdbcMessageMapper(db, Clock.systemUTC());
        StoredMessageId.Factory ids = new StoredMessageId.Factory();
        Mailbox mailbox = mailboxes.create(MailboxPath.forUser(Username.of("alice@example.org"), "Doomed"),
            UidValidity.of(1)).block();
        int writers = 4;
        CountDownLatch firstAppends = new CountDownLatch(writers);
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; ; i++) {
                        try {
                            messages.add(mailbox, message(ids, mailbox));
                        } catch (MailboxNotFoundException gone) {
                            refused.incrementAndGet();
                            return null;
                        }
                        if (i == 2) {
                            firstAppends.countDown();
                        }
                    }
                }));
            }
            assertThat(firstAppends.await(60, TimeUnit.SECONDS)).isTrue();
            mailboxes.delete(mailbox).block();
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(refused).as("appenders that found their mailbox gone").hasValue(writers);
        assertThat(count(db, "SELECT COUNT(*) FROM mr_mailbox_message")).isZero();
        assertThat(count(db, "SELECT COUNT(*) FROM mr_message")).as("no bytes left without a mailbox").isZero();
        assertThat(count(db, "SELECT COUNT(*) FROM mr_mailbox")).isZero();
    }

    private static SimpleMailboxMessage message(StoredMessageId.Factory ids, Mailbox mailbox) {
        byte[] bytes = "Subject: race\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        MessageId id = ids.generate();
        return new SimpleMailboxMessage(id, ThreadId.fromBaseMessageId(id), new Date(), bytes.length, 17,
            new ByteContent(bytes), new Flags(), new PropertyBuilder().build(), mailbox.getMailboxId());
    }

    private static long count(Database db, String sql) {
        return db.read(c -> {
            try (var rs = c.createStatement().executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
