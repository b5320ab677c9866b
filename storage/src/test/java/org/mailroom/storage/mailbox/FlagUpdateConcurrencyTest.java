package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
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
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/**
 * A flag update takes its MODSEQ as the locked mailbox row's value plus one ({@link FlagUpdateMailboxRow}): under
 * concurrent updates of one message through two mappers (two servers on one database), no flag is lost, every
 * update that changed something took its own MODSEQ, and the mailbox's HIGHESTMODSEQ and unseen count are exact.
 */
class FlagUpdateConcurrencyTest {
    protected Database database() {
        return TestDatabases.derby();
    }

    @Test
    void concurrentUpdatesOfOneMessageLoseNothingAndTakeDistinctModSeqs() throws Exception {
        Database db = database();
        Mailbox mailbox = new JdbcMailboxMapper(db)
            .create(MailboxPath.forUser(Username.of("erin@example.org"), "INBOX"), UidValidity.of(13)).block();
        List<JdbcMessageMapper> mappers = List.of(new JdbcMessageMapper(db, Clock.systemUTC()),
            new JdbcMessageMapper(db, Clock.systemUTC()));
        mappers.get(0).add(mailbox, TinyMessages.in(mailbox, new Flags()));
        ModSeq before = mappers.get(0).getHighestModSeq(mailbox);

        int threads = 6;
        int perThread = 10;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                JdbcMessageMapper mapper = mappers.get(t % 2);
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<Long> modSeqs = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        Flags keyword = new Flags("k" + thread + "_" + i);
                        UpdatedFlags updated = mapper.updateFlags(mailbox,
                            new FlagsUpdateCalculator(keyword, FlagsUpdateMode.ADD), MessageRange.all()).next();
                        modSeqs.add(updated.getModSeq().asLong());
                    }
                    return modSeqs;
                }));
            }
            start.countDown();
            Set<Long> distinct = new HashSet<>();
            for (Future<List<Long>> result : results) {
                distinct.addAll(result.get());
            }

            int updates = threads * perThread;
            assertThat(distinct).hasSize(updates);
            assertThat(mappers.get(1).getHighestModSeq(mailbox).asLong()).isEqualTo(before.asLong() + updates);
            Flags stored = mappers.get(1).findInMailbox(mailbox, MessageRange.all(),
                org.apache.james.mailbox.store.mail.MessageMapper.FetchType.METADATA, 1).next().createFlags();
            assertThat(stored.getUserFlags()).hasSize(updates);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anUpdateThatChangesNothingLeavesTheMailboxRowAlone() throws Exception {
        Database db = database();
        Mailbox mailbox = new JdbcMailboxMapper(db)
            .create(MailboxPath.forUser(Username.of("frank@example.org"), "INBOX"), UidValidity.of(17)).block();
        JdbcMessageMapper messages = new JdbcMessageMapper(db, Clock.systemUTC());
        messages.add(mailbox, TinyMessages.in(mailbox, new Flags()));
        messages.add(mailbox, TinyMessages.in(mailbox, new Flags(Flags.Flag.SEEN)));
        FlagsUpdateCalculator seen = new FlagsUpdateCalculator(new Flags(Flags.Flag.SEEN), FlagsUpdateMode.ADD);

        messages.updateFlags(mailbox, seen, MessageRange.all());
        ModSeq afterFirst = messages.getHighestModSeq(mailbox);
        assertThat(messages.getMailboxCounters(mailbox).getUnseen()).isZero();

        UpdatedFlags again = messages.updateFlags(mailbox, seen, MessageRange.one(
            messages.getLastUid(mailbox).orElseThrow())).next();
        assertThat(again.getModSeq()).isLessThanOrEqualTo(afterFirst);
        assertThat(messages.getHighestModSeq(mailbox)).isEqualTo(afterFirst);

        messages.updateFlags(mailbox, new FlagsUpdateCalculator(new Flags(Flags.Flag.SEEN), FlagsUpdateMode.REMOVE),
            MessageRange.all());
        assertThat(messages.getHighestModSeq(mailbox).asLong()).isEqualTo(afterFirst.asLong() + 1);
        assertThat(messages.getMailboxCounters(mailbox).getUnseen()).isEqualTo(2);
    }
}
