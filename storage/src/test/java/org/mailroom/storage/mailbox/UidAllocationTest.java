package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MessageManager.FlagsUpdateMode;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/**
 * An append takes its UID and MODSEQ with a compare-and-set on the numbers this mapper last saw
 * ({@link LastAllocations}): whatever else moved the mailbox row since (a flag update, another server's append, a
 * second mapper), the numbers taken are the row's next ones, never a repeat.
 */
class UidAllocationTest {
    protected Database database() {
        return TestDatabases.derby();
    }

    @Test
    void appendsFollowWhateverMovedTheRowInBetween() throws Exception {
        Database db = database();
        Mailbox mailbox = new JdbcMailboxMapper(db)
            .create(MailboxPath.forUser(Username.of("carol@example.org"), "INBOX"), UidValidity.of(9)).block();
        JdbcMessageMapper server1 = new JdbcMessageMapper(db, Clock.systemUTC());
        JdbcMessageMapper server2 = new JdbcMessageMapper(db, Clock.systemUTC());

        MessageMetaData first = server1.add(mailbox, TinyMessages.in(mailbox, new Flags(Flags.Flag.RECENT)));
        MessageMetaData second = server1.add(mailbox, TinyMessages.in(mailbox, new Flags(Flags.Flag.RECENT)));
        assertThat(second.getUid().asLong()).isEqualTo(first.getUid().asLong() + 1);
        assertThat(second.getModSeq().asLong()).isEqualTo(first.getModSeq().asLong() + 1);

        // Another server's append and a flag update move the row past what server1 remembers.
        MessageMetaData other = server2.add(mailbox, TinyMessages.in(mailbox, new Flags(Flags.Flag.RECENT)));
        server2.updateFlags(mailbox, new FlagsUpdateCalculator(new Flags(Flags.Flag.FLAGGED), FlagsUpdateMode.ADD),
            MessageRange.all());
        MessageMetaData third = server1.add(mailbox, TinyMessages.in(mailbox, new Flags(Flags.Flag.RECENT)));

        assertThat(other.getUid().asLong()).isEqualTo(second.getUid().asLong() + 1);
        assertThat(third.getUid().asLong()).isEqualTo(other.getUid().asLong() + 1);
        assertThat(third.getModSeq()).isEqualTo(server1.getHighestModSeq(mailbox));
        assertThat(third.getModSeq().asLong()).isEqualTo(other.getModSeq().asLong() + 2);
        assertThat(server1.getLastUid(mailbox)).contains(third.getUid());
        assertThat(server1.getMailboxCounters(mailbox).getCount()).isEqualTo(4);
    }

    @Test
    void concurrentAppendsFromTwoMappersTakeDistinctConsecutiveUids() throws Exception {
        Database db = database();
        Mailbox mailbox = new JdbcMailboxMapper(db)
            .create(MailboxPath.forUser(Username.of("dave@example.org"), "INBOX"), UidValidity.of(11)).block();
        List<JdbcMessageMapper> mappers = List.of(new JdbcMessageMapper(db, Clock.systemUTC()),
            new JdbcMessageMapper(db, Clock.systemUTC()));
        int threads = 6;
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                JdbcMessageMapper mapper = mappers.get(t % 2);
                Callable<List<Long>> appender = () -> {
                    List<Long> uids = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        uids.add(mapper.add(mailbox, TinyMessages.in(mailbox, new Flags(Flags.Flag.RECENT))).getUid().asLong());
                    }
                    return uids;
                };
                results.add(pool.submit(appender));
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> result : results) {
                all.addAll(result.get());
            }
            assertThat(all).doesNotHaveDuplicates().hasSize(threads * perThread);
            assertThat(all).allMatch(uid -> uid >= 1 && uid <= threads * perThread);
            assertThat(mappers.get(0).getLastUid(mailbox).orElseThrow().asLong()).isEqualTo(threads * perThread);
            assertThat(mappers.get(0).getHighestModSeq(mailbox).asLong()).isEqualTo(threads * perThread);
            assertThat(mappers.get(0).getMailboxCounters(mailbox).getCount()).isEqualTo(threads * perThread);
        } finally {
            pool.shutdownNow();
        }
    }
}
