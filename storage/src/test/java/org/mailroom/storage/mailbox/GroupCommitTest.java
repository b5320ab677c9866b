package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.model.ByteContent;
import org.apache.james.mailbox.model.Content;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/**
 * Group commit of appends to one mailbox ({@link GroupCommit}), on real database files: appends that queue while
 * one is being written commit together, and a message that cannot be stored fails only its own append.
 */
class GroupCommitTest {
    private static final byte[] BYTES = TinyMessages.bytes();

    private Database db;
    private Mailbox mailbox;
    private JdbcMessageMapper mapper;
    private ExecutorService pool;

    protected Database database() {
        return TestDatabases.derby();
    }

    @BeforeEach
    void setUp() {
        db = database();
        mailbox = new JdbcMailboxMapper(db)
            .create(MailboxPath.forUser(Username.of("erin@example.org"), "INBOX"), UidValidity.of(5)).block();
        mapper = new JdbcMessageMapper(db, Clock.systemUTC());
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void tearDown() {
        if (pool != null) { // null when the PostgreSQL twin's assumption skipped setUp
            pool.shutdownNow();
        }
    }

    @Test
    void appendsQueuedBehindAWriterCommitTogetherWithConsecutiveUids() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Future<MessageMetaData> first = pool.submit(() -> mapper.add(mailbox, message(blockingUntil(release))));
        awaitWriting();
        List<Future<MessageMetaData>> queued = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            queued.add(pool.submit(() -> mapper.add(mailbox, message(new ByteContent(BYTES)))));
        }
        awaitQueued(6);

        release.countDown();

        assertThat(first.get(30, TimeUnit.SECONDS).getUid().asLong()).isEqualTo(1);
        List<Long> uids = new ArrayList<>();
        List<Long> modSeqs = new ArrayList<>();
        for (Future<MessageMetaData> append : queued) {
            MessageMetaData metaData = append.get(30, TimeUnit.SECONDS);
            uids.add(metaData.getUid().asLong());
            modSeqs.add(metaData.getModSeq().asLong());
        }
        // The six queued appends were one transaction: the first alone, then one batch.
        assertThat(mapper.groupCommit().transactions()).isEqualTo(2);
        assertThat(uids).containsExactlyInAnyOrder(2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(modSeqs).doesNotHaveDuplicates().allMatch(modSeq -> modSeq >= 2 && modSeq <= 7);
        assertThat(mapper.getLastUid(mailbox).orElseThrow().asLong()).isEqualTo(7);
        assertThat(mapper.getHighestModSeq(mailbox).asLong()).isEqualTo(7);
        assertThat(mapper.getMailboxCounters(mailbox).getCount()).isEqualTo(7);
        assertThat(mapper.getMailboxCounters(mailbox).getUnseen()).isEqualTo(7);
        assertThat(rowCount("mr_message")).isEqualTo(7);
        assertThat(mapper.listAllMessageUids(mailbox).count().block()).isEqualTo(7);
    }

    @Test
    void appendsToSeveralMailboxesQueuedBehindAWriterShareOneTransaction() throws Exception {
        Mailbox other = mailboxInTheSameLane();
        CountDownLatch release = new CountDownLatch(1);
        Future<MessageMetaData> first = pool.submit(() -> mapper.add(mailbox, message(blockingUntil(release))));
        awaitWriting();
        List<Future<MessageMetaData>> here = new ArrayList<>();
        List<Future<MessageMetaData>> there = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            here.add(pool.submit(() -> mapper.add(mailbox, message(new ByteContent(BYTES)))));
            there.add(pool.submit(() -> mapper.add(other, TinyMessages.in(other, new Flags(Flags.Flag.SEEN),
                new ByteContent(BYTES)))));
        }
        awaitUntil(() -> mapper.groupCommit().queued(id()) == 3
            && mapper.groupCommit().queued(StoredMailboxId.of(other.getMailboxId()).value()) == 3);

        release.countDown();

        first.get(30, TimeUnit.SECONDS);
        // The six appends to two mailboxes were one transaction, each mailbox with its own consecutive UIDs.
        assertThat(uidsOf(here)).containsExactlyInAnyOrder(2L, 3L, 4L);
        assertThat(uidsOf(there)).containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(mapper.groupCommit().transactions()).isEqualTo(2);
        assertThat(mapper.getHighestModSeq(mailbox).asLong()).isEqualTo(4);
        assertThat(mapper.getHighestModSeq(other).asLong()).isEqualTo(3);
        assertThat(mapper.getMailboxCounters(mailbox).getCount()).isEqualTo(4);
        assertThat(mapper.getMailboxCounters(mailbox).getUnseen()).isEqualTo(4);
        assertThat(mapper.getMailboxCounters(other).getCount()).isEqualTo(3);
        assertThat(mapper.getMailboxCounters(other).getUnseen()).isZero();
        assertThat(mapper.listAllMessageUids(other).count().block()).isEqualTo(3);
        assertThat(rowCount("mr_message")).isEqualTo(7);
    }

    @Test
    void appendsToTheNextMailboxesCreatedDoNotWaitForABlockedWriter() throws Exception {
        // Eight mailboxes made one after another (one user's folders, a small office's INBOXes): with the ids spread
        // over four lanes by id modulo four, the fifth waited for the first one's writer.
        JdbcMailboxMapper mailboxes = new JdbcMailboxMapper(db);
        List<Mailbox> next = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            next.add(mailboxes.create(MailboxPath.forUser(Username.of("erin@example.org"), "folder" + i),
                UidValidity.of(5)).block());
        }
        CountDownLatch release = new CountDownLatch(1);
        Future<MessageMetaData> first = pool.submit(() -> mapper.add(mailbox, message(blockingUntil(release))));
        awaitWriting();
        try {
            for (Mailbox other : next) {
                MessageMetaData added = pool.submit(() -> mapper.add(other, TinyMessages.in(other, new Flags(),
                    new ByteContent(BYTES)))).get(30, TimeUnit.SECONDS);
                assertThat(added.getUid().asLong()).isEqualTo(1);
            }
            assertThat(first).isNotDone();
        } finally {
            release.countDown();
        }
        assertThat(first.get(30, TimeUnit.SECONDS).getUid().asLong()).isEqualTo(1);
        assertThat(mapper.groupCommit().transactions()).isEqualTo(8);
    }

    @Test
    void consecutiveMailboxIdsFallInDifferentLanesAndSoDoStridedOnes() {
        for (long base = 1; base < 100_000; base += 997) {
            assertThat(lanesOf(base, 1, 8)).as("8 ids from %d", base).isEqualTo(8);
            // One user's INBOX after another when every user got the same 3, 4 or 8 folders at once.
            assertThat(lanesOf(base, 3, 8)).as("stride 3 from %d", base).isGreaterThanOrEqualTo(6);
            assertThat(lanesOf(base, 4, 8)).as("stride 4 from %d", base).isGreaterThanOrEqualTo(6);
            assertThat(lanesOf(base, 8, 8)).as("stride 8 from %d", base).isGreaterThanOrEqualTo(6);
        }
    }

    private static long lanesOf(long base, long stride, int count) {
        return java.util.stream.LongStream.range(0, count).map(i -> GroupCommit.laneOf(base + i * stride)).distinct().count();
    }

    @Test
    void anAppendToAMailboxDeletedMeanwhileFailsAloneInAMixedBatch() throws Exception {
        Mailbox other = mailboxInTheSameLane();
        CountDownLatch release = new CountDownLatch(1);
        Future<MessageMetaData> first = pool.submit(() -> mapper.add(mailbox, message(blockingUntil(release))));
        awaitWriting();
        Future<MessageMetaData> good = pool.submit(() -> mapper.add(mailbox, message(new ByteContent(BYTES))));
        awaitQueued(1);
        Future<MessageMetaData> gone = pool.submit(() -> mapper.add(other, TinyMessages.in(other,
            new Flags(), new ByteContent(BYTES))));
        awaitUntil(() -> mapper.groupCommit().queued(StoredMailboxId.of(other.getMailboxId()).value()) == 1);
        new JdbcMailboxMapper(db).delete(other).block();

        release.countDown();

        first.get(30, TimeUnit.SECONDS);
        assertThat(good.get(30, TimeUnit.SECONDS).getUid().asLong()).isEqualTo(2);
        assertThat(gone).failsWithin(Duration.ofSeconds(30)).withThrowableThat()
            .withCauseInstanceOf(org.apache.james.mailbox.exception.MailboxNotFoundException.class);
        assertThat(mapper.getMailboxCounters(mailbox).getCount()).isEqualTo(2);
        assertThat(rowCount("mr_mailbox_message")).isEqualTo(2);
    }

    @Test
    void aMessageThatCannotBeStoredFailsOnlyItsOwnAppend() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Future<MessageMetaData> first = pool.submit(() -> mapper.add(mailbox, message(blockingUntil(release))));
        awaitWriting();
        List<Future<MessageMetaData>> good = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            good.add(pool.submit(() -> mapper.add(mailbox, message(new ByteContent(BYTES)))));
        }
        awaitQueued(3);
        Future<MessageMetaData> bad = pool.submit(() -> mapper.add(mailbox, message(unreadable())));
        awaitQueued(4);
        for (int i = 0; i < 2; i++) {
            good.add(pool.submit(() -> mapper.add(mailbox, message(new ByteContent(BYTES)))));
        }
        awaitQueued(6);

        release.countDown();

        first.get(30, TimeUnit.SECONDS);
        List<Long> uids = new ArrayList<>();
        for (Future<MessageMetaData> append : good) {
            uids.add(append.get(30, TimeUnit.SECONDS).getUid().asLong());
        }
        assertThat(bad).failsWithin(Duration.ofSeconds(30)).withThrowableThat()
            .havingRootCause().withMessage("unreadable");
        // The batch of six failed as a whole and was retried one by one: the five good ones are stored, once each.
        assertThat(mapper.groupCommit().transactions()).isEqualTo(1 + 1 + 6);
        assertThat(uids).containsExactlyInAnyOrder(2L, 3L, 4L, 5L, 6L);
        assertThat(mapper.getMailboxCounters(mailbox).getCount()).isEqualTo(6);
        assertThat(rowCount("mr_message")).isEqualTo(6);
        assertThat(rowCount("mr_mailbox_message")).isEqualTo(6);
        assertThat(mapper.getLastUid(mailbox).orElseThrow().asLong()).isEqualTo(6);
    }

    @Test
    void aLoneAppendIsOneTransactionAndWaitsForNobody() throws Exception {
        for (int i = 1; i <= 3; i++) {
            assertThat(mapper.add(mailbox, message(new ByteContent(BYTES))).getUid().asLong()).isEqualTo(i);
        }
        assertThat(mapper.groupCommit().transactions()).isEqualTo(3);
        assertThat(mapper.getMailboxCounters(mailbox).getCount()).isEqualTo(3);
    }

    /** Another mailbox whose appends combine with {@code mailbox}'s (the same {@link GroupCommit} lane). */
    private Mailbox mailboxInTheSameLane() {
        JdbcMailboxMapper mailboxes = new JdbcMailboxMapper(db);
        for (int i = 0; ; i++) {
            Mailbox created = mailboxes.create(MailboxPath.forUser(Username.of("frank@example.org"), "box" + i),
                UidValidity.of(7)).block();
            if (GroupCommit.laneOf(StoredMailboxId.of(created.getMailboxId()).value()) == GroupCommit.laneOf(id())) {
                return created;
            }
        }
    }

    private static List<Long> uidsOf(List<Future<MessageMetaData>> appends) throws Exception {
        List<Long> uids = new ArrayList<>();
        for (Future<MessageMetaData> append : appends) {
            uids.add(append.get(30, TimeUnit.SECONDS).getUid().asLong());
        }
        return uids;
    }

    private void awaitWriting() throws InterruptedException {
        // The first append has taken the writer's place (its transaction is blocked reading the message).
        awaitUntil(() -> mapper.groupCommit().transactions() == 1 && mapper.groupCommit().queued(id()) == 0);
    }

    private void awaitQueued(int count) throws InterruptedException {
        awaitUntil(() -> mapper.groupCommit().queued(id()) == count);
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 30 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private long id() {
        return StoredMailboxId.of(mailbox.getMailboxId()).value();
    }

    private long rowCount(String table) {
        return db.read(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private SimpleMailboxMessage message(Content content) {
        return TinyMessages.in(mailbox, new Flags(Flags.Flag.RECENT), content);
    }

    /** The message's bytes, handed out once {@code release} opens: its transaction waits while it is being stored. */
    private static Content blockingUntil(CountDownLatch release) {
        return new Content() {
            @Override
            public InputStream getInputStream() throws IOException {
                try {
                    if (!release.await(30, TimeUnit.SECONDS)) {
                        throw new IOException("never released");
                    }
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                return new ByteContent(BYTES).getInputStream();
            }

            @Override
            public long size() {
                return BYTES.length;
            }
        };
    }

    /** A message whose bytes cannot be read: storing it fails. */
    private static Content unreadable() {
        return new Content() {
            @Override
            public InputStream getInputStream() throws IOException {
                throw new IOException("unreadable");
            }

            @Override
            public long size() {
                return BYTES.length;
            }
        };
    }
}
