package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageManager.AppendCommand;
import org.apache.james.mailbox.MessageManager.FlagsUpdateMode;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

import reactor.core.publisher.Flux;

/**
 * The metadata snapshot that answers SELECT's UID list and FETCH of flags and sizes must say exactly what the rows
 * say, whatever other sessions and writers did since it was read: appends, copies and moves, flag stores, expunges,
 * \Recent claims and a change of \Recent alone, and all of them running at once while it is read.
 */
class MetadataSnapshotTest {
    private static final Username USER = Username.of("alice@example.org");

    protected Database database() {
        return TestDatabases.derby();
    }

    @Test
    void snapshotFollowsEveryKindOfChangeFromOtherSessions() throws Exception {
        MailroomMailboxManager manager = manager();
        MailboxSession reader = manager.createSystemSession(USER);
        MailboxSession writer = manager.createSystemSession(USER);
        MailboxPath inbox = MailboxPath.inbox(USER);
        MailboxPath archive = MailboxPath.forUser(USER, "Archive");
        manager.createMailbox(inbox, reader);
        manager.createMailbox(archive, reader);
        MessageManager readView = manager.getMailbox(inbox, reader);
        MessageManager writeView = manager.getMailbox(inbox, writer);
        for (int i = 0; i < 20; i++) {
            writeView.appendMessage(AppendCommand.builder().withInternalDate(new Date(1_700_000_000_000L + i * 1000L))
                .build(message("m" + i)), writer);
        }
        assertSnapshotIsTheRows(manager, readView, reader);

        // flags and keywords stored by another session: the snapshot follows their MODSEQs
        Flags keywords = new Flags(Flags.Flag.FLAGGED);
        keywords.add("$Important");
        writeView.setFlags(keywords, FlagsUpdateMode.ADD, MessageRange.range(MessageUid.of(3), MessageUid.of(7)), writer);
        writeView.setFlags(new Flags(Flags.Flag.SEEN), FlagsUpdateMode.ADD, MessageRange.all(), writer);
        assertSnapshotIsTheRows(manager, readView, reader);
        writeView.setFlags(new Flags(Flags.Flag.SEEN), FlagsUpdateMode.REMOVE, MessageRange.one(MessageUid.of(12)), writer);
        // a one-message FETCH of a changed mailbox reads its row directly; the whole range then refreshes
        assertThat(snapshotRows(readView, MessageRange.one(MessageUid.of(12))))
            .isEqualTo(rowsOfTheDatabase(readView, MessageRange.one(MessageUid.of(12)), reader));
        assertSnapshotIsTheRows(manager, readView, reader);

        // \Recent claimed by another session (the watermark moves, no row changes)
        ((JdbcMessageMapper) messageMapper(manager, writer)).claimRecent(writeView.getMailboxEntity());
        assertSnapshotIsTheRows(manager, readView, reader);

        // \Recent alone put back and taken away through the mapper (no MODSEQ taken)
        MessageMapper mapper = messageMapper(manager, writer);
        mapper.updateFlags(writeView.getMailboxEntity(), new FlagsUpdateCalculator(new Flags(Flags.Flag.RECENT),
            FlagsUpdateMode.ADD), MessageRange.range(MessageUid.of(2), MessageUid.of(4)));
        assertSnapshotIsTheRows(manager, readView, reader);
        mapper.updateFlags(writeView.getMailboxEntity(), new FlagsUpdateCalculator(new Flags(Flags.Flag.RECENT),
            FlagsUpdateMode.REMOVE), MessageRange.one(MessageUid.of(3)));
        assertSnapshotIsTheRows(manager, readView, reader);

        // expunge, delivery, copy in, move out
        writeView.setFlags(new Flags(Flags.Flag.DELETED), FlagsUpdateMode.ADD,
            MessageRange.range(MessageUid.of(5), MessageUid.of(9)), writer);
        writeView.expunge(MessageRange.all(), writer);
        assertSnapshotIsTheRows(manager, readView, reader);
        writeView.appendMessage(AppendCommand.builder().withFlags(keywords).build(message("late")), writer);
        MessageManager archiveView = manager.getMailbox(archive, writer);
        archiveView.appendMessage(AppendCommand.builder().build(message("archived")), writer);
        manager.copyMessages(MessageRange.all(), archive, inbox, writer);
        assertSnapshotIsTheRows(manager, readView, reader);
        manager.moveMessages(MessageRange.range(MessageUid.of(10), MessageUid.of(14)), inbox, archive, writer);
        assertSnapshotIsTheRows(manager, readView, reader);
        assertSnapshotIsTheRows(manager, manager.getMailbox(archive, reader), reader);
    }

    @Test
    void snapshotStaysExactUnderConcurrentWriters() throws Exception {
        MailroomMailboxManager manager = manager();
        MailboxSession reader = manager.createSystemSession(USER);
        MailboxPath inbox = MailboxPath.inbox(USER);
        manager.createMailbox(inbox, reader);
        MessageManager readView = manager.getMailbox(inbox, reader);
        for (int i = 0; i < 50; i++) {
            readView.appendMessage(AppendCommand.builder().build(message("m" + i)), reader);
        }
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService writers = Executors.newFixedThreadPool(3);
        List<Future<Integer>> done = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            int kind = w;
            done.add(writers.submit(() -> {
                MailboxSession session = manager.createSystemSession(USER);
                MessageManager view = manager.getMailbox(inbox, session);
                int writes = 0;
                while (!stop.get() && writes < 150) {
                    long uid = ThreadLocalRandom.current().nextLong(1, 60 + writes);
                    switch (kind) {
                        case 0 -> view.appendMessage(AppendCommand.builder().build(message("new" + writes)), session);
                        case 1 -> view.setFlags(new Flags(writes % 2 == 0 ? Flags.Flag.SEEN : Flags.Flag.FLAGGED),
                            writes % 3 == 0 ? FlagsUpdateMode.REMOVE : FlagsUpdateMode.ADD,
                            MessageRange.range(MessageUid.of(uid), MessageUid.of(uid + 5)), session);
                        default -> {
                            view.setFlags(new Flags(Flags.Flag.DELETED), FlagsUpdateMode.ADD, MessageRange.one(MessageUid.of(uid)), session);
                            view.expunge(MessageRange.one(MessageUid.of(uid)), session);
                        }
                    }
                    writes++;
                }
                return writes;
            }));
        }
        int reads = 0;
        while (done.stream().anyMatch(f -> !f.isDone())) {
            List<String> rows = snapshotRows(readView, MessageRange.all());
            List<Long> uids = rows.stream().map(row -> Long.parseLong(row.substring(0, row.indexOf(' ')))).toList();
            assertThat(uids).isSorted().doesNotHaveDuplicates();
            assertThat(listUids(manager, readView, reader)).isSorted().doesNotHaveDuplicates();
            reads++;
        }
        stop.set(true);
        for (Future<Integer> writes : done) {
            assertThat(writes.get(60, TimeUnit.SECONDS)).isPositive();
        }
        writers.shutdown();
        assertThat(reads).isPositive();
        assertSnapshotIsTheRows(manager, readView, reader);
    }

    @Test
    void appendsAndStoresOfThisProcessExtendTheSnapshotWithoutReadingItAgain() throws Exception {
        MailroomMailboxManager manager = manager();
        MailboxSession reader = manager.createSystemSession(USER);
        MailboxPath inbox = MailboxPath.inbox(USER);
        MessageManager readView = createdInbox(manager, reader);
        MetadataSnapshots snapshots = ((JdbcMessageMapper) messageMapper(manager, reader)).snapshots();

        // eight sessions appending at once: the group commit writes them in batches, each extending the snapshot
        ExecutorService appenders = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            done.add(appenders.submit(() -> {
                MailboxSession session = manager.createSystemSession(USER);
                MessageManager view = manager.getMailbox(inbox, session);
                for (int i = 0; i < 40; i++) {
                    Flags flags = new Flags();
                    if (i % 7 == 0) {
                        flags.add("$Label" + thread);
                    }
                    view.appendMessage(AppendCommand.builder().withFlags(flags)
                        .withInternalDate(new Date(1_700_000_000_000L + i * 1000L)).build(message(thread + "-" + i)), session);
                }
                return null;
            }));
        }
        for (Future<?> appended : done) {
            appended.get(120, TimeUnit.SECONDS);
        }
        appenders.shutdown();
        assertThat(readView.getMessageCount(reader)).isEqualTo(320);
        assertSnapshotIsTheRows(manager, readView, reader);
        assertThat(snapshots.wholeReads()).as("a snapshot read whole after the appends").isZero();

        // flag stores and \Recent claimed by another session, then more appends
        MailboxSession writer = manager.createSystemSession(USER);
        MessageManager writeView = manager.getMailbox(inbox, writer);
        writeView.setFlags(new Flags(Flags.Flag.SEEN), FlagsUpdateMode.ADD,
            MessageRange.range(MessageUid.of(10), MessageUid.of(200)), writer);
        Flags keyword = new Flags("$Important");
        writeView.setFlags(keyword, FlagsUpdateMode.ADD, MessageRange.one(MessageUid.of(5)), writer);
        ((JdbcMessageMapper) messageMapper(manager, writer)).claimRecent(writeView.getMailboxEntity());
        writeView.appendMessage(AppendCommand.builder().build(message("after the claim")), writer);
        assertSnapshotIsTheRows(manager, readView, reader);
        assertThat(snapshots.wholeReads()).isZero();

        // an expunge raises the content version, and the snapshot it found under the lock takes the new one
        // without the expunged messages: nothing is read again
        writeView.setFlags(new Flags(Flags.Flag.DELETED), FlagsUpdateMode.ADD,
            MessageRange.range(MessageUid.of(3), MessageUid.of(6)), writer);
        assertThat(writeView.expunge(MessageRange.all(), writer)).toIterable().map(MessageUid::asLong)
            .containsExactly(3L, 4L, 5L, 6L);
        writeView.appendMessage(AppendCommand.builder().build(message("after the expunge")), writer);
        assertSnapshotIsTheRows(manager, readView, reader);
        writeView.setFlags(new Flags(Flags.Flag.DELETED), FlagsUpdateMode.ADD, MessageRange.one(MessageUid.of(9)), writer);
        writeView.delete(List.of(MessageUid.of(12), MessageUid.of(9)), writer);
        assertSnapshotIsTheRows(manager, readView, reader);
        assertThat(snapshots.wholeReads()).isZero();
    }

    @Test
    void anExpungeTakesTheDeletedMarksOfOtherServersAndTheirExpungesAreReadAgain() throws Exception {
        Database shared = database();
        MailroomMailboxManager here = SingleUserStores.manager(shared, USER);
        MailroomMailboxManager there = SingleUserStores.manager(shared, USER);
        MailboxSession session = here.createSystemSession(USER);
        MessageManager hereView = filledInbox(here, session, 12);
        assertSnapshotIsTheRows(here, hereView, session);
        MailboxSession otherSession = there.createSystemSession(USER);
        MessageManager thereView = there.getMailbox(MailboxPath.inbox(USER), otherSession);

        // \Deleted stored by the other server only: this one's expunge finds it past its snapshot's MODSEQ mark
        thereView.setFlags(new Flags(Flags.Flag.DELETED), FlagsUpdateMode.ADD,
            MessageRange.range(MessageUid.of(3), MessageUid.of(5)), otherSession);
        assertThat(hereView.expunge(MessageRange.all(), session)).toIterable().map(MessageUid::asLong)
            .containsExactly(3L, 4L, 5L);
        assertSnapshotIsTheRows(here, hereView, session);

        // the other server's expunge and delivery: this one's snapshot is of an older version, read again
        hereView.setFlags(new Flags(Flags.Flag.DELETED), FlagsUpdateMode.ADD, MessageRange.one(MessageUid.of(8)), session);
        assertThat(thereView.expunge(MessageRange.all(), otherSession)).toIterable().map(MessageUid::asLong)
            .containsExactly(8L);
        thereView.appendMessage(AppendCommand.builder().build(message("there")), otherSession);
        assertSnapshotIsTheRows(here, hereView, session);
        assertThat(hereView.expunge(MessageRange.all(), session)).toIterable().isEmpty();
        assertThat(hereView.getMessageCount(session)).isEqualTo(9);
    }

    @Test
    void anExpungeThatRollsBackLeavesTheSnapshotAsTheRows() throws Exception {
        Database db = database();
        MailroomMailboxManager manager = SingleUserStores.manager(db, USER);
        MailboxSession session = manager.createSystemSession(USER);
        MessageManager view = filledInbox(manager, session, 6);
        view.setFlags(new Flags(Flags.Flag.DELETED), FlagsUpdateMode.ADD,
            MessageRange.range(MessageUid.of(2), MessageUid.of(3)), session);
        assertSnapshotIsTheRows(manager, view, session);
        // a row of another table referencing message 3's bytes makes the expunge's last statement (the delete of
        // bytes no mailbox references) fail after its membership delete and counter update: the transaction rolls back
        String pinned = Flux.from(view.getMessagesReactive(MessageRange.one(MessageUid.of(3)), FetchGroup.MINIMAL, session))
            .blockFirst().getMessageId().serialize();
        db.transactionVoid(c -> {
            try (var create = c.createStatement()) {
                create.executeUpdate("CREATE TABLE test_pinned_message (message_id CHAR(36) NOT NULL"
                    + " REFERENCES mr_message (id))");
            }
            try (var pin = c.prepareStatement("INSERT INTO test_pinned_message (message_id) VALUES (?)")) {
                pin.setString(1, pinned);
                pin.executeUpdate();
            }
        });
        try {
            assertThatThrownBy(() -> view.expunge(MessageRange.all(), session)).isNotNull();
            assertSnapshotIsTheRows(manager, view, session);
            assertThat(view.getMessageCount(session)).isEqualTo(6);
        } finally {
            db.transactionVoid(c -> {
                try (var drop = c.createStatement()) {
                    drop.executeUpdate("DROP TABLE test_pinned_message");
                }
            });
        }
        assertThat(view.expunge(MessageRange.all(), session)).toIterable().map(MessageUid::asLong).containsExactly(2L, 3L);
        assertSnapshotIsTheRows(manager, view, session);
        assertThat(((JdbcMessageMapper) messageMapper(manager, session)).snapshots().wholeReads()).isZero();
    }

    @Test
    void expungesOfTwoServersAndAppendsAtOnceLeaveTheSnapshotExact() throws Exception {
        Database shared = database();
        MailroomMailboxManager here = SingleUserStores.manager(shared, USER);
        MailroomMailboxManager there = SingleUserStores.manager(shared, USER);
        MailboxSession reader = here.createSystemSession(USER);
        MessageManager readView = filledInbox(here, reader, 60);
        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            MailroomMailboxManager server = w == 3 ? there : here;
            int kind = w;
            done.add(writers.submit(() -> {
                MailboxSession session = server.createSystemSession(USER);
                MessageManager view = server.getMailbox(MailboxPath.inbox(USER), session);
                for (int i = 0; i < 60; i++) {
                    if (kind == 0) {
                        view.appendMessage(AppendCommand.builder().build(message("new" + i)), session);
                    } else {
                        long uid = ThreadLocalRandom.current().nextLong(1, 80);
                        view.setFlags(new Flags(Flags.Flag.DELETED), FlagsUpdateMode.ADD,
                            MessageRange.range(MessageUid.of(uid), MessageUid.of(uid + 2)), session);
                        view.expunge(MessageRange.all(), session);
                    }
                }
                return null;
            }));
        }
        while (done.stream().anyMatch(f -> !f.isDone())) {
            assertThat(listUids(here, readView, reader)).isSorted().doesNotHaveDuplicates();
        }
        for (Future<?> writes : done) {
            writes.get(120, TimeUnit.SECONDS);
        }
        writers.shutdown();
        assertSnapshotIsTheRows(here, readView, reader);
        MailboxSession thereSession = there.createSystemSession(USER);
        assertSnapshotIsTheRows(there, there.getMailbox(MailboxPath.inbox(USER), thereSession), thereSession);
    }

    @Test
    void anotherServersAppendsAndStoresAreReadByModSeq() throws Exception {
        Database shared = database();
        MailroomMailboxManager here = SingleUserStores.manager(shared, USER);
        MailroomMailboxManager there = SingleUserStores.manager(shared, USER);
        MailboxSession reader = here.createSystemSession(USER);
        MailboxPath inbox = MailboxPath.inbox(USER);
        MessageManager readView = createdInbox(here, reader);
        for (int i = 0; i < 10; i++) {
            readView.appendMessage(AppendCommand.builder().build(message("here" + i)), reader);
        }
        MailboxSession writer = there.createSystemSession(USER);
        MessageManager writeView = there.getMailbox(inbox, writer);
        for (int i = 0; i < 5; i++) {
            writeView.appendMessage(AppendCommand.builder().build(message("there" + i)), writer);
        }
        writeView.setFlags(new Flags(Flags.Flag.FLAGGED), FlagsUpdateMode.ADD, MessageRange.all(), writer);
        // this process's next append cannot extend a snapshot that missed the other server's changes
        readView.appendMessage(AppendCommand.builder().build(message("here again")), reader);
        assertSnapshotIsTheRows(here, readView, reader);
        assertThat(((JdbcMessageMapper) messageMapper(here, reader)).snapshots().wholeReads()).isZero();
    }

    private static MessageManager createdInbox(MailroomMailboxManager manager, MailboxSession session) throws Exception {
        manager.createMailbox(MailboxPath.inbox(USER), session);
        return manager.getMailbox(MailboxPath.inbox(USER), session);
    }

    /** A new INBOX holding {@code messages} messages, m0, m1, ... */
    private static MessageManager filledInbox(MailroomMailboxManager manager, MailboxSession session, int messages)
            throws Exception {
        MessageManager inbox = createdInbox(manager, session);
        for (int i = 0; i < messages; i++) {
            inbox.appendMessage(AppendCommand.builder().build(message("m" + i)), session);
        }
        return inbox;
    }

    /** SELECT's UID list and FETCH 1:* from the snapshot are what the membership rows hold right now. */
    private static void assertSnapshotIsTheRows(MailroomMailboxManager manager, MessageManager mailbox,
                                                MailboxSession session) throws Exception {
        List<String> rows = rowsOfTheDatabase(mailbox, MessageRange.all(), session);
        assertThat(snapshotRows(mailbox, MessageRange.all())).isEqualTo(rows);
        assertThat(listUids(manager, mailbox, session))
            .isEqualTo(rows.stream().map(row -> Long.parseLong(row.substring(0, row.indexOf(' ')))).toList());
        MessageRange middle = MessageRange.range(MessageUid.of(4), MessageUid.of(11));
        assertThat(snapshotRows(mailbox, middle)).isEqualTo(rowsOfTheDatabase(mailbox, middle, session));
    }

    private static List<String> snapshotRows(MessageManager mailbox, MessageRange range) throws Exception {
        List<String> rows = new ArrayList<>();
        ((MetadataRowSource) mailbox).visitMetadataRows(range, (uid, modSeq, size, date, flags, keywords) ->
            rows.add(uid + " " + modSeq + " " + size + " " + date + " " + MetadataRowVisitor.flags(flags, keywords)));
        return rows;
    }

    /** The rows as the membership table holds them now ({@code FetchGroup.MINIMAL} reads them, no snapshot). */
    private static List<String> rowsOfTheDatabase(MessageManager mailbox, MessageRange range, MailboxSession session) {
        return Flux.from(mailbox.getMessagesReactive(range, FetchGroup.MINIMAL, session))
            .map(MetadataSnapshotTest::describe).collectList().block();
    }

    private static String describe(MessageResult result) {
        return result.getUid().asLong() + " " + result.getModSeq().asLong() + " " + result.getSize() + " "
            + result.getInternalDate().getTime() + " " + result.getFlags();
    }

    private static List<Long> listUids(MailroomMailboxManager manager, MessageManager mailbox, MailboxSession session)
            throws Exception {
        return messageMapper(manager, session).listAllMessageUids(mailbox.getMailboxEntity())
            .map(MessageUid::asLong).collectList().block();
    }

    private static MessageMapper messageMapper(MailroomMailboxManager manager, MailboxSession session) {
        return manager.getMapperFactory().getMessageMapper(session);
    }

    private MailroomMailboxManager manager() {
        return SingleUserStores.manager(database(), USER);
    }

    private static byte[] message(String subject) {
        return ("From: bob@example.org\r\nTo: alice@example.org\r\nSubject: " + subject + "\r\n\r\nbody of " + subject
            + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
