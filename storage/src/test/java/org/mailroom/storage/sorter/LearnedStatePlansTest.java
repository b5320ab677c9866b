package org.mailroom.storage.sorter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.importance.ImportanceModel;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.message.MailParser;
import org.mailroom.sorter.spam.SpamFilter;
import org.mailroom.sorter.spam.TokenStore;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.mailroom.storage.testing.StatementPlans;

/**
 * A new installation first runs the sorter's look-ups against empty tables, and Derby keeps the plan it made then:
 * a scan of the whole table, which on main stayed while the table grew to thousands of rows (the look-ups run
 * rarely, most rows come from the stores' caches, so Derby's own stale-plan check never ran). Grown through the
 * sorter's real learners on a new database of real files, the look-ups must come to use their primary keys.
 */
class LearnedStatePlansTest {
    private static final String USER = "nina@example.org";
    private static final Duration REPLANNED_WITHIN = Duration.ofSeconds(60);
    private static final MailParser PARSER = new MailParser();
    private final Random random = new Random(7);

    @Test
    void theSpamTokenLookUpUsesAnIndexOnASmallTableAndOnceTrainingHasGrownIt(@TempDir Path dir) {
        DatabaseSettings settings = DatabaseSettings.embedded(dir);
        try (Database db = Database.open(settings)) {
            SpamFilter filter = new SpamFilter(new JdbcTokenStore(db));
            for (int i = 0; i < 4; i++) {
                filter.learn(USER, mail(i), i % 2 == 0);
            }
        }
        try (Database db = Database.open(settings)) {
            // Restarted with a few hundred tokens: the first classification plans the look-up for that size.
            JdbcTokenStore store = new JdbcTokenStore(db);
            new SpamFilter(store).spamLogOdds(USER, mail(4), SessionFacts.none());
            String lookUp = "SELECT token, weight, spam_count, ham_count FROM mr_spam_token";
            assertThat(StatementPlans.ofCached(db, lookUp).accesses()).as("planned on the small table")
                .singleElement().asString().startsWith("INDEX SCAN MR_SPAM_TOKEN");

            // Users train: the steps' writes, whose reads the store's token cache answers in real use.
            for (int step = 0; step < 100; step++) {
                store.apply(USER, "<step" + step + "@example.test>", new TokenStore.TrainingChange(
                    random.longs(120).toArray(), 0.1, 1, 0, Optional.empty()));
            }
            assertThat(rows(db, "mr_spam_token")).isGreaterThan(10_000);

            // Planned again with index statistics (one scope holds every row: through the primary key, Derby then
            // costs the look-up above a scan of the table).
            await().atMost(REPLANNED_WITHIN).pollInterval(Duration.ofSeconds(1))
                .until(() -> StatementPlans.hasIndexStatistics(db, "MR_SPAM_TOKEN"));
            assertThat(StatementPlans.ofCached(db, lookUp).accesses()).as("planned on the grown table")
                .singleElement().asString().startsWith("INDEX SCAN MR_SPAM_TOKEN");
        }
    }

    @Test
    void theImportanceWeightLookUpMadeOnASmallTableUsesTheIndexOnceLearningHasGrownIt(@TempDir Path dir) {
        DatabaseSettings settings = DatabaseSettings.embedded(dir);
        Instant start = Instant.parse("2026-03-02T10:00:00Z");
        try (Database db = Database.open(settings)) {
            ImportanceModel model = new ImportanceModel(new JdbcImportanceState(db));
            for (int i = 0; i < 3; i++) {
                Instant at = start.plusSeconds(60L * i);
                model.learnLabel(USER, mail(i), at, i % 2 == 0, at.plusSeconds(5));
            }
        }
        try (Database db = Database.open(settings)) {
            // Restarted with a few hundred weights: the first decision plans the look-up for that size.
            JdbcImportanceState state = new JdbcImportanceState(db);
            new ImportanceModel(state).logOdds(incoming(3, start.plusSeconds(180)));
            String lookUp = "SELECT feature_key, weight, squared_gradient FROM mr_importance_weight";
            assertThat(StatementPlans.ofCached(db, lookUp).accesses())
                .as("planned on the small table").containsExactly("TABLE SCAN MR_IMPORTANCE_WEIGHT");

            // Compiled now, so that counting the rows after the growth compiles nothing that reads the table: any
            // compile does, and Derby's automatic index statistics, which that compile would start, re-plan the
            // look-up whenever they happen to run.
            long before = rows(db, "mr_importance_weight");

            // Labels are learned: the weights' writes, whose reads the state's weight cache answers in real use.
            for (int step = 0; step < 100; step++) {
                long[] keys = random.longs(100).toArray();
                double[] values = random.doubles(100).toArray();
                state.writeWeights(keys, keys.length, values, values);
            }
            assertThat(rows(db, "mr_importance_weight")).isGreaterThan(before + 9_000);

            await().atMost(REPLANNED_WITHIN).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(StatementPlans.ofCached(db, lookUp).accesses()).as("planned on the grown table")
                    .singleElement().asString().startsWith("INDEX SCAN MR_IMPORTANCE_WEIGHT"));
        }
    }

    private IncomingMail incoming(int n, Instant at) {
        return new IncomingMail(USER, Optional.of(sender(n)), SessionFacts.none(), mail(n), at);
    }

    private static String sender(int n) {
        return "sender" + (n % 97) + "@example" + (n % 7) + ".test";
    }

    /** A message of random words, so that every one brings new tokens and features. */
    private MailContent mail(int n) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 80; i++) {
            body.append('w').append(random.nextInt(100_000)).append(i % 12 == 11 ? "\r\n" : " ");
        }
        return PARSER.parse(("Message-ID: <m" + n + "@example.test>\r\nFrom: " + sender(n) + "\r\nTo: " + USER
            + "\r\nSubject: about w" + random.nextInt(100_000) + "\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\n"
            + body + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    private static long rows(Database db, String table) {
        return db.read(c -> {
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
