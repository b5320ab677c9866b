package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MessageManager.FlagsUpdateMode;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UidValidity;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/**
 * A mailbox's list of keywords ever used is read once per keyword by a mapper ({@link KnownKeywords}), and stays
 * whole whatever other mappers (other sessions' flag updates, other servers on one PostgreSQL) add meanwhile.
 */
class KnownKeywordsTest {
    protected Database database() {
        return TestDatabases.derby();
    }

    @Test
    void keywordsAddedByOtherWritersAreKeptBesideTheCachedOnes() throws Exception {
        Database db = database();
        Mailbox mailbox = inbox(db, "erin@example.org");
        JdbcMessageMapper server1 = new JdbcMessageMapper(db, Clock.systemUTC());
        JdbcMessageMapper server2 = new JdbcMessageMapper(db, Clock.systemUTC());

        server1.add(mailbox, TinyMessages.in(mailbox, keywords("$NotJunk")));
        server1.add(mailbox, TinyMessages.in(mailbox, keywords("$NotJunk")));
        // server2 adds keywords server1 has never read: by append, and by a flag update
        server2.add(mailbox, TinyMessages.in(mailbox, keywords("$Junk")));
        server2.updateFlags(mailbox, new FlagsUpdateCalculator(keywords("$Label1"), FlagsUpdateMode.ADD),
            MessageRange.all());
        // server1 knows $NotJunk, not $Important (case differs from what it read for the known one)
        server1.add(mailbox, TinyMessages.in(mailbox, keywords("$notjunk", "$Important")));
        server1.add(mailbox, TinyMessages.in(mailbox, keywords("$NOTJUNK")));

        // keywords compare ignoring case (javax.mail's Flags; the spelling kept is the last one merged)
        assertThat(onRow(db, mailbox).getUserFlags()).extracting(keyword -> keyword.toLowerCase(Locale.ENGLISH))
            .containsExactlyInAnyOrder("$notjunk", "$junk", "$label1", "$important");
        assertThat(server1.getApplicableFlag(mailbox).contains(keywords("$NotJunk", "$Junk", "$Label1", "$Important")))
            .isTrue();
    }

    @Test
    void aKeywordOnceReadIsNotReadAgain() throws Exception {
        Database db = database();
        Mailbox mailbox = inbox(db, "frank@example.org");
        JdbcMessageMapper cached = new JdbcMessageMapper(db, Clock.systemUTC());
        cached.add(mailbox, TinyMessages.in(mailbox, keywords("$Junk")));
        cached.add(mailbox, TinyMessages.in(mailbox, keywords("$Junk")));
        // Only to observe the cache: nothing in Mailroom ever empties the list (that is what makes the cache right).
        db.transactionVoid(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE mr_mailbox SET keywords = NULL WHERE id = ?")) {
                ps.setLong(1, StoredMailboxId.of(mailbox.getMailboxId()).value());
                ps.executeUpdate();
            }
        });

        cached.add(mailbox, TinyMessages.in(mailbox, keywords("$Junk")));
        cached.updateFlags(mailbox, new FlagsUpdateCalculator(keywords("$junk"), FlagsUpdateMode.ADD), MessageRange.all());
        assertThat(onRow(db, mailbox).getUserFlags()).isEmpty();

        new JdbcMessageMapper(db, Clock.systemUTC()).add(mailbox, TinyMessages.in(mailbox, keywords("$Junk")));
        assertThat(onRow(db, mailbox).getUserFlags()).containsExactly("$Junk");
    }

    @Test
    void concurrentAppendsWithNewKeywordsFromTwoMappersLoseNone() throws Exception {
        Database db = database();
        Mailbox mailbox = inbox(db, "grace@example.org");
        List<JdbcMessageMapper> mappers = List.of(new JdbcMessageMapper(db, Clock.systemUTC()),
            new JdbcMessageMapper(db, Clock.systemUTC()));
        int threads = 6;
        int perThread = 10;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                JdbcMessageMapper mapper = mappers.get(t % 2);
                int thread = t;
                Callable<Void> appender = () -> {
                    for (int i = 0; i < perThread; i++) {
                        // a shared keyword every time, and a new one of this thread's every other time
                        mapper.add(mailbox, TinyMessages.in(mailbox, keywords("$NotJunk", "k" + thread + "_" + (i / 2))));
                    }
                    return null;
                };
                results.add(pool.submit(appender));
            }
            for (Future<Void> result : results) {
                result.get();
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> expected = new ArrayList<>(List.of("$NotJunk"));
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread / 2; i++) {
                expected.add("k" + t + "_" + i);
            }
        }
        assertThat(onRow(db, mailbox).getUserFlags()).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static Mailbox inbox(Database db, String user) {
        return new JdbcMailboxMapper(db).create(MailboxPath.forUser(Username.of(user), "INBOX"), UidValidity.of(5)).block();
    }

    private static Flags onRow(Database db, Mailbox mailbox) {
        return db.read(c -> MessageRows.knownKeywords(c, StoredMailboxId.of(mailbox.getMailboxId()).value()));
    }

    private static Flags keywords(String... names) {
        Flags flags = new Flags();
        for (String name : names) {
            flags.add(name);
        }
        return flags;
    }
}
