package org.mailroom.storage.sorter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.spam.BulkTraining;
import org.mailroom.sorter.spam.InMemoryTokenStore;
import org.mailroom.sorter.spam.SpamFilter;
import org.mailroom.sorter.spam.TestMails;
import org.mailroom.sorter.spam.TokenStore;
import org.mailroom.sorter.spam.TokenStoreContract;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

/** The TokenStore contract on the shared Derby database (emptied before each test), plus persistence and races. */
class JdbcTokenStoreTest extends TokenStoreContract {
    private Database db;
    private JdbcTokenStore store;

    /** The database this suite runs on, emptied; the PostgreSQL twin overrides it. */
    protected Database database() {
        return TestDatabases.derby();
    }

    @BeforeEach
    void setUp() {
        db = database();
        store = new JdbcTokenStore(db);
    }

    @Override
    protected TokenStore store() {
        return store;
    }

    @Test
    void aFilterOnTheDatabaseLearnsAndAFreshStoreOverTheSameDataScoresTheSame() {
        SpamFilter filter = new SpamFilter(store);
        for (int i = 0; i < 10; i++) {
            filter.learn("alice@example.test", TestMails.spam(i), true);
            filter.learn("alice@example.test", TestMails.ham(i), false);
        }
        MailContent probe = TestMails.spam(99);
        double score = filter.spamLogOdds("alice@example.test", probe, SessionFacts.none()).orElseThrow();
        double hamScore = filter.spamLogOdds("alice@example.test", TestMails.ham(99), SessionFacts.none())
            .orElseThrow();

        SpamFilter reopened = new SpamFilter(new JdbcTokenStore(db));
        assertThat(score).isGreaterThan(hamScore + 1);
        assertThat(reopened.spamLogOdds("alice@example.test", probe, SessionFacts.none()))
            .contains(score);
        assertThat(store.totals(TokenStore.GLOBAL).messages()).isEqualTo(20);
    }

    @Test
    void aSecondReadComesFromTheCacheAndACommittedStepIsReadAgain() {
        long[] tokens = {11, 12, 13};
        store.apply("alice@example.test", "<a@x>", new TokenStore.TrainingChange(new long[] {11, 12}, 0.5, 1, 0,
            Optional.empty()));
        TokenStore.TokenStats first = store.read("alice@example.test", tokens);
        long fromDatabase = store.tokensReadFromDatabase();
        assertThat(fromDatabase).isEqualTo(3);

        TokenStore.TokenStats second = store.read("alice@example.test", tokens);
        assertThat(store.tokensReadFromDatabase()).as("known and unknown tokens both cached").isEqualTo(fromDatabase);
        assertThat(second.weights()).containsExactly(first.weights());
        assertThat(second.weights()).containsExactly(0.5, 0.5, 0.0);

        store.apply("alice@example.test", "<b@x>", new TokenStore.TrainingChange(new long[] {12, 13}, 0.25, 1, 0,
            Optional.empty()));
        TokenStore.TokenStats third = store.read("alice@example.test", tokens);
        assertThat(third.weights()).containsExactly(0.5, 0.75, 0.25);
        assertThat(third.spam()).containsExactly(1, 2, 1);
        assertThat(store.tokensReadFromDatabase()).as("only the two changed tokens").isEqualTo(fromDatabase + 2);
        assertThat(store.read(TokenStore.GLOBAL, tokens).weights()).as("scopes stay apart").containsOnly(0.0);
    }

    @Test
    void totalsAreCachedUntilAStepOfTheirScopeCommits() {
        String scope = "carol@example.test";
        store.apply(scope, "<a@x>", new TokenStore.TrainingChange(new long[] {1}, 0.5, 1, 0, Optional.empty()));
        assertThat(store.totals(scope).spamMessages()).isEqualTo(1);

        // Written behind the store's back: a cached read cannot see it, so this proves the second read is cached.
        db.transactionVoid(c -> {
            try (var s = c.createStatement()) {
                s.executeUpdate("UPDATE mr_spam_scope SET ham_messages = 7 WHERE scope = '" + scope + "'");
            }
        });
        assertThat(store.totals(scope).hamMessages()).isZero();

        store.apply(TokenStore.GLOBAL, "<g@x>", new TokenStore.TrainingChange(new long[] {1}, 0.5, 1, 0,
            Optional.empty()));
        assertThat(store.totals(scope).hamMessages()).as("another scope's step keeps this cache").isZero();

        store.apply(scope, "<b@x>", new TokenStore.TrainingChange(new long[] {2}, 0.25, 0, 1, Optional.empty()));
        TokenStore.Totals after = store.totals(scope);
        assertThat(after.spamMessages()).isEqualTo(1);
        assertThat(after.hamMessages()).as("read again after its own step committed").isEqualTo(8);
        assertThat(after.bias()).isEqualTo(0.75);
    }

    /**
     * {@code admin spam train --orders K} on the database: the orders are trained apart from it and only their
     * average is written (one record per message and model, the same as in memory), and forgetting every message
     * takes it all back.
     */
    @Test
    void anAveragedBulkTrainingIsStoredAsInMemoryAndForgottenWithoutATrace() {
        List<BulkTraining.Example> examples = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            examples.add(new BulkTraining.Example("<s" + i + "@x>", TestMails.mail("s" + i, "x" + (i % 3)
                + "@offer.example", "Cheap offer " + i, "Buy now, click here " + i), true));
            examples.add(new BulkTraining.Example("<h" + i + "@x>", TestMails.ham(i), false));
        }
        SpamFilter filter = new SpamFilter(store);
        new BulkTraining(filter, 3, 7, 3).train(TokenStore.GLOBAL, examples);
        InMemoryTokenStore memory = new InMemoryTokenStore();
        new BulkTraining(new SpamFilter(memory), 3, 7, 3).train(TokenStore.GLOBAL, examples);

        assertThat(store.totals(TokenStore.GLOBAL).messages()).isEqualTo(24);
        for (BulkTraining.Example example : examples) {
            TokenStore.TrainingRecord stored = store.record(TokenStore.GLOBAL, example.key()).orElseThrow();
            TokenStore.TrainingRecord expected = memory.record(TokenStore.GLOBAL, example.key()).orElseThrow();
            assertThat(stored.tokens()).containsExactlyInAnyOrder(expected.tokens());
            assertThat(stored.weightDelta()).isCloseTo(expected.weightDelta(), within(1e-12));
        }
        assertThat(filter.spamLogOdds("alice@example.test", TestMails.spam(99), SessionFacts.none()).orElseThrow())
            .isPositive();

        examples.forEach(e -> filter.forget(TokenStore.GLOBAL, e.key()));

        Integer rows = db.read(c -> {
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM mr_spam_training")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(rows).isZero();
        assertThat(store.totals(TokenStore.GLOBAL).messages()).isZero();
        assertThat(store.totals(TokenStore.GLOBAL).bias()).isCloseTo(0, within(1e-9));
    }

    @Test
    void undoingEveryMessageLeavesNoTokenRows() {
        SpamFilter filter = new SpamFilter(store);
        filter.learn("bob@example.test", "<1@x>", TestMails.spam(1), true);
        filter.forget("bob@example.test", "<1@x>");

        Integer rows = db.read(c -> {
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM mr_spam_token")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(rows).isZero();
    }

    /**
     * SpamFilter serialises its own steps, so this race needs two processes (PostgreSQL) or two filters: the
     * insert of a token another step inserted first fails as a duplicate and is retried as an update.
     */
    @Test
    void concurrentStepsOnTheSameNewTokensAllCount() throws Exception {
        long[] tokens = new long[50];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = 1000 + i;
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Void>> results = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                String key = "<race" + t + "@x>";
                results.add(pool.submit((Callable<Void>) () -> {
                    store.apply("race@example.test", key, new TokenStore.TrainingChange(tokens, 1.0, 1, 0,
                        Optional.of(new TokenStore.TrainingRecord(true, tokens, 1.0))));
                    return null;
                }));
            }
            for (Future<Void> f : results) {
                f.get(300, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        TokenStore.TokenStats stats = store.read("race@example.test", tokens);
        for (int i = 0; i < tokens.length; i++) {
            assertThat(stats.spam()[i]).isEqualTo(3);
            assertThat(stats.weights()[i]).isEqualTo(3.0);
        }
        assertThat(store.totals("race@example.test").spamMessages()).isEqualTo(3);
    }

    @Test
    void keysWithTheSameHashPrefixDoNotShareRecords() {
        assertThat(JdbcTokenStore.keyHash("<a@x>")).isNotEqualTo(JdbcTokenStore.keyHash("<b@x>"));
    }
}
