package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.james.core.Username;
import org.apache.james.events.Event;
import org.apache.james.events.EventListener;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.events.MailboxEvents;
import org.apache.james.mailbox.events.MailboxIdRegistrationKey;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.store.FakeAuthenticator;
import org.apache.james.mailbox.store.FakeAuthorizator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.metrics.MicrometerMetricFactory;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;

/**
 * Many threads appending to one mailbox through the MailboxManager the servers use: the appends run together and
 * are group-committed, yet UIDs and MODSEQs only ever appear in ascending order, to a reader of the database and to
 * a listener of the mailbox's events (what an IMAP session with the mailbox selected follows), and a copy into the
 * mailbox meanwhile stays consecutive.
 */
class ConcurrentAppendOrderTest {
    private static final int THREADS = 8;
    private static final int PER_THREAD = 40;

    private Database db;
    private MailboxStore store;
    private MailboxSession session;
    private MailboxPath inboxPath;
    private ExecutorService pool;

    protected Database database() {
        return TestDatabases.derby();
    }

    @BeforeEach
    void setUp() throws Exception {
        db = database();
        store = new MailboxStore(db, new FakeAuthenticator(), FakeAuthorizator.defaultReject(),
            new MicrometerMetricFactory(new SimpleMeterRegistry()), Clock.systemUTC(),
            MailboxStore.Settings.defaults(), Set.of());
        session = store.mailboxManager().createSystemSession(Username.of("frank@example.org"));
        inboxPath = MailboxPath.inbox(session);
        store.mailboxManager().createMailbox(inboxPath, session);
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void tearDown() {
        if (pool != null) { // null when the PostgreSQL twin's assumption skipped setUp
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentAppendsAreCombinedAndAppearOnlyInAscendingOrder() throws Exception {
        MessageManager inbox = store.mailboxManager().getMailbox(inboxPath, session);
        MailboxId mailboxId = inbox.getId();
        List<Long> announced = new ArrayList<>();
        Mono.from(store.eventBus().register(new AddedUids(announced), new MailboxIdRegistrationKey(mailboxId))).block();
        JdbcMessageMapper storeMapper = ((JdbcMailboxSessionMapperFactory) store.mailboxManager().getMapperFactory())
            .messageMapper();
        long transactionsBefore = storeMapper.groupCommit().transactions();

        AtomicBoolean appending = new AtomicBoolean(true);
        Future<Integer> reader = pool.submit(() -> readWhileAppending(mailboxId, appending));
        List<Future<List<Long>>> appenders = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            Callable<List<Long>> appender = () -> {
                MessageManager mine = store.mailboxManager().getMailbox(inboxPath, session);
                List<Long> uids = new ArrayList<>();
                for (int i = 0; i < PER_THREAD; i++) {
                    uids.add(mine.appendMessage(MessageManager.AppendCommand.builder().build(message(thread, i)), session)
                        .getId().getUid().asLong());
                }
                return uids;
            };
            appenders.add(pool.submit(appender));
        }
        List<Long> returned = new ArrayList<>();
        try {
            for (Future<List<Long>> appender : appenders) {
                returned.addAll(appender.get(5, TimeUnit.MINUTES));
            }
        } finally {
            appending.set(false);
        }
        int listings = reader.get(1, TimeUnit.MINUTES);

        int total = THREADS * PER_THREAD;
        assertThat(returned).doesNotHaveDuplicates().hasSize(total);
        assertThat(listings).isPositive();
        synchronized (announced) {
            // Every append announced once, in strictly ascending UID order.
            assertThat(announced).hasSize(total);
            for (int i = 1; i < announced.size(); i++) {
                assertThat(announced.get(i)).as("announcement %d", i).isGreaterThan(announced.get(i - 1));
            }
        }
        // The appends reached the store together and were combined: fewer transactions than appends.
        assertThat(storeMapper.groupCommit().transactions() - transactionsBefore).isLessThan(total);
        assertThat(inbox.getMessageCount(session)).isEqualTo(total);
        assertThat(storeMapper.addedEventOrder().pendingCount(StoredMailboxId.of(mailboxId).value())).isZero();
    }

    @Test
    void aCopyIntoTheMailboxDuringAppendsTakesConsecutiveUids() throws Exception {
        MailboxPath archivePath = MailboxPath.forUser(session.getUser(), "Archive");
        store.mailboxManager().createMailbox(archivePath, session);
        MessageManager archive = store.mailboxManager().getMailbox(archivePath, session);
        for (int i = 0; i < 10; i++) {
            archive.appendMessage(MessageManager.AppendCommand.builder().build(message(99, i)), session);
        }
        AtomicBoolean appending = new AtomicBoolean(true);
        List<Future<?>> appenders = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            appenders.add(pool.submit(() -> {
                MessageManager mine = store.mailboxManager().getMailbox(inboxPath, session);
                for (int i = 0; appending.get(); i++) {
                    mine.appendMessage(MessageManager.AppendCommand.builder().build(message(thread, i)), session);
                }
                return null;
            }));
        }
        List<MessageRange> copied;
        try {
            Thread.sleep(200);
            copied = store.mailboxManager().copyMessages(MessageRange.all(), archivePath, inboxPath, session);
        } finally {
            appending.set(false);
        }
        for (Future<?> appender : appenders) {
            appender.get(1, TimeUnit.MINUTES);
        }
        // One range: the copy's ten UIDs were not interleaved with the concurrent appends' UIDs.
        assertThat(copied).hasSize(1);
        assertThat(copied.get(0).getUidTo().asLong() - copied.get(0).getUidFrom().asLong()).isEqualTo(9);
    }

    /**
     * Reads the mailbox's rows over and over: a listing never loses a row it showed, and what it shows first must lie
     * above everything shown before (UID and MODSEQ): a reader that saw UID n never later sees a new one below n.
     */
    private int readWhileAppending(MailboxId mailboxId, AtomicBoolean appending) {
        JdbcMessageMapper reader = new JdbcMessageMapper(db, Clock.systemUTC());
        Mailbox mailbox = new JdbcMailboxMapper(db).findMailboxById(mailboxId).block();
        Set<Long> seen = new HashSet<>();
        long highestUid = 0;
        long highestModSeq = 0;
        int listings = 0;
        boolean last = false;
        while (!last) {
            last = !appending.get();
            List<MessageMetaData> rows = reader.listMessageMetaData(mailbox, MessageRange.all()).collectList().block();
            long newHighestUid = highestUid;
            long newHighestModSeq = highestModSeq;
            Set<Long> now = new HashSet<>();
            for (MessageMetaData row : rows) {
                long uid = row.getUid().asLong();
                now.add(uid);
                if (!seen.contains(uid)) {
                    assertThat(uid).as("new UID after seeing %d", highestUid).isGreaterThan(highestUid);
                    assertThat(row.getModSeq().asLong()).as("new MODSEQ after seeing %d", highestModSeq)
                        .isGreaterThan(highestModSeq);
                }
                newHighestUid = Math.max(newHighestUid, uid);
                newHighestModSeq = Math.max(newHighestModSeq, row.getModSeq().asLong());
            }
            assertThat(now).containsAll(seen);
            seen = now;
            highestUid = newHighestUid;
            highestModSeq = newHighestModSeq;
            listings++;
        }
        return listings;
    }

    private static byte[] message(int thread, int i) {
        return ("From: t" + thread + "@example.org\r\nTo: frank@example.org\r\nSubject: " + thread + "/" + i
            + "\r\n\r\nbody " + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Records the UIDs of every "added" event of the mailbox, in the order they are delivered. */
    private static final class AddedUids implements EventListener {
        private final List<Long> uids;

        AddedUids(List<Long> uids) {
            this.uids = uids;
        }

        @Override
        public void event(Event event) {
            if (event instanceof MailboxEvents.Added added) {
                synchronized (uids) {
                    for (MessageUid uid : added.getUids()) {
                        uids.add(uid.asLong());
                    }
                }
            }
        }
    }
}
