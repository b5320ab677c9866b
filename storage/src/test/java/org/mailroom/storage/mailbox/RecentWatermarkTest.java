package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MessageManager.FlagsUpdateMode;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.apache.james.mailbox.store.mail.MessageMapper.FetchType;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/**
 * \Recent as a per-mailbox watermark: a claim (SELECT) takes every recent message once, rewrites no membership, and
 * every reader of stored flags reports \Recent only for what is still unclaimed.
 */
class RecentWatermarkTest {
    private Database db;
    private Mailbox mailbox;
    private JdbcMessageMapper messages;

    protected Database database() {
        return TestDatabases.derby();
    }

    @BeforeEach
    void setUp() {
        db = database();
        mailbox = new JdbcMailboxMapper(db)
            .create(MailboxPath.forUser(Username.of("carol@example.org"), "INBOX"), UidValidity.of(9)).block();
        messages = new JdbcMessageMapper(db, Clock.systemUTC());
    }

    @Test
    void aClaimTakesTheRecentMessagesOnceAndRewritesNoMembership() throws Exception {
        for (int i = 0; i < 3; i++) {
            messages.add(mailbox, TinyMessages.in(mailbox, new Flags(Flags.Flag.RECENT)));
        }
        messages.add(mailbox, TinyMessages.in(mailbox, new Flags()));

        assertThat(messages.claimRecent(mailbox)).containsExactly(MessageUid.of(1), MessageUid.of(2), MessageUid.of(3));

        assertThat(storedRecentColumns()).containsExactly(true, true, true, false);
        assertThat(messages.claimRecent(mailbox)).isEmpty();
        assertThat(messages.findRecentMessageUidsInMailbox(mailbox)).isEmpty();
        assertNoReaderReportsRecent(MessageRange.all());

        messages.add(mailbox, TinyMessages.in(mailbox, new Flags(Flags.Flag.RECENT)));
        assertThat(messages.findRecentMessageUidsInMailbox(mailbox)).containsExactly(MessageUid.of(5));
        List<UpdatedFlags> reset = messages.resetRecent(mailbox);
        assertThat(reset).extracting(UpdatedFlags::getUid).containsExactly(MessageUid.of(5));
        assertThat(reset.get(0).getOldFlags().contains(Flags.Flag.RECENT)).isTrue();
        assertThat(reset.get(0).getNewFlags().contains(Flags.Flag.RECENT)).isFalse();
        assertThat(messages.resetRecent(mailbox)).isEmpty();
        assertNoReaderReportsRecent(MessageRange.all());
    }

    @Test
    void unclaimedMessagesReportRecentInEveryReader() throws Exception {
        messages.add(mailbox, TinyMessages.in(mailbox, new Flags(Flags.Flag.RECENT)));
        messages.claimRecent(mailbox);
        messages.add(mailbox, TinyMessages.in(mailbox, new Flags(Flags.Flag.RECENT)));

        List<Long> recentBits = new ArrayList<>();
        messages.visitMetadataRows(mailbox, MessageRange.all(), (uid, modSeq, size, date, flags, keywords) -> {
            if ((flags & MetadataRowVisitor.RECENT) != 0) {
                recentBits.add(uid);
            }
        });
        assertThat(recentBits).containsExactly(2L);
        List<Long> withContent = new ArrayList<>();
        messages.visitContentRows(mailbox, MessageRange.all(), (uid, modSeq, size, date, flags, keywords, header, body) -> {
            if ((flags & MetadataRowVisitor.RECENT) != 0) {
                withContent.add(uid);
            }
        });
        assertThat(withContent).containsExactly(2L);
        assertThat(messages.listMessageMetaData(mailbox, MessageRange.all()).collectList().block())
            .filteredOn(m -> m.getFlags().contains(Flags.Flag.RECENT))
            .extracting(m -> m.getUid().asLong()).containsExactly(2L);
        List<Long> fromRows = new ArrayList<>();
        messages.findInMailbox(mailbox, MessageRange.all(), FetchType.METADATA, -1).forEachRemaining(m -> {
            if (m.createFlags().contains(Flags.Flag.RECENT)) {
                fromRows.add(m.getUid().asLong());
            }
        });
        assertThat(fromRows).containsExactly(2L);
        assertThat(new JdbcMessageIdMapper(db, Clock.systemUTC()).find(List.of(idOf(1)), FetchType.METADATA))
            .allSatisfy(m -> assertThat(m.createFlags().contains(Flags.Flag.RECENT)).isFalse());
        assertThat(new JdbcMessageIdMapper(db, Clock.systemUTC()).find(List.of(idOf(2)), FetchType.METADATA))
            .allSatisfy(m -> assertThat(m.createFlags().contains(Flags.Flag.RECENT)).isTrue());
    }

    @Test
    void givingRecentToAClaimedMessageMakesThatOneRecentAndNoOther() throws Exception {
        for (int i = 0; i < 4; i++) {
            messages.add(mailbox, TinyMessages.in(mailbox, new Flags(Flags.Flag.RECENT)));
        }
        messages.claimRecent(mailbox);

        messages.updateFlags(mailbox, new FlagsUpdateCalculator(new Flags(Flags.Flag.RECENT), FlagsUpdateMode.ADD),
            MessageRange.one(MessageUid.of(2)));

        assertThat(messages.findRecentMessageUidsInMailbox(mailbox)).containsExactly(MessageUid.of(2));
        messages.add(mailbox, TinyMessages.in(mailbox, new Flags(Flags.Flag.RECENT)));
        assertThat(messages.claimRecent(mailbox)).containsExactly(MessageUid.of(2), MessageUid.of(5));
        assertNoReaderReportsRecent(MessageRange.all());
    }

    @Test
    void concurrentClaimersNeverShareAMessage() throws Exception {
        int claimers = 4;
        int appends = 60;
        ExecutorService pool = Executors.newFixedThreadPool(claimers + 1);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<MessageUid>>> claims = new ArrayList<>();
            for (int t = 0; t < claimers; t++) {
                claims.add(pool.submit(() -> {
                    start.await();
                    List<MessageUid> mine = new ArrayList<>();
                    for (int i = 0; i < 30; i++) {
                        mine.addAll(messages.claimRecent(mailbox));
                    }
                    return mine;
                }));
            }
            Future<?> appender = pool.submit(() -> {
                start.await();
                for (int i = 0; i < appends; i++) {
                    messages.add(mailbox, TinyMessages.in(mailbox, new Flags(Flags.Flag.RECENT)));
                }
                return null;
            });
            start.countDown();
            appender.get();
            List<MessageUid> all = new ArrayList<>();
            for (Future<List<MessageUid>> claim : claims) {
                all.addAll(claim.get());
            }
            all.addAll(messages.claimRecent(mailbox));
            Set<MessageUid> distinct = new HashSet<>(all);
            assertThat(all).hasSize(appends);
            assertThat(distinct).hasSize(appends);
        } finally {
            pool.shutdownNow();
        }
    }

    private void assertNoReaderReportsRecent(MessageRange range) throws Exception {
        List<Integer> bits = Collections.synchronizedList(new ArrayList<>());
        messages.visitMetadataRows(mailbox, range, (uid, modSeq, size, date, flags, keywords) -> bits.add(flags));
        messages.visitContentRows(mailbox, range, (uid, modSeq, size, date, flags, keywords, header, body) -> bits.add(flags));
        assertThat(bits).isNotEmpty().allSatisfy(flags -> assertThat(flags & MetadataRowVisitor.RECENT).isZero());
        assertThat(messages.listMessageMetaData(mailbox, range).collectList().block())
            .allSatisfy(m -> assertThat(m.getFlags().contains(Flags.Flag.RECENT)).isFalse());
        assertThat(messages.listMessagesMetadata(mailbox, range).collectList().block())
            .allSatisfy(m -> assertThat(m.getFlags().contains(Flags.Flag.RECENT)).isFalse());
        messages.findInMailbox(mailbox, range, FetchType.METADATA, -1)
            .forEachRemaining(m -> assertThat(m.createFlags().contains(Flags.Flag.RECENT)).isFalse());
        assertThat(messages.findByHeader(mailbox, (uid, header) -> true))
            .allSatisfy(m -> assertThat(m.createFlags().contains(Flags.Flag.RECENT)).isFalse());
    }

    private List<Boolean> storedRecentColumns() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT is_recent FROM mr_mailbox_message WHERE mailbox_id = ? ORDER BY uid")) {
                ps.setLong(1, StoredMailboxId.of(mailbox.getMailboxId()).value());
                List<Boolean> result = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(rs.getBoolean(1));
                    }
                }
                return result;
            }
        });
    }

    private StoredMessageId idOf(long uid) throws Exception {
        MailboxMessage found = messages.findInMailbox(mailbox, MessageRange.one(MessageUid.of(uid)), FetchType.METADATA, 1).next();
        return StoredMessageId.of(found.getMessageId());
    }
}
