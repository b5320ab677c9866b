package org.mailroom.sorter.spam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.mailroom.sorter.spam.TestMails.ham;
import static org.mailroom.sorter.spam.TestMails.mail;
import static org.mailroom.sorter.spam.TestMails.spam;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mailroom.sorter.SessionFacts;

class BulkTrainingTest {

    private static double trainedLogOdds(BulkTraining.Example[] examples, java.util.function.Function<SpamFilter,
        BulkTraining> training) {
        SpamFilter filter = new SpamFilter(new InMemoryTokenStore());
        training.apply(filter).train(TokenStore.GLOBAL, List.of(examples));
        return filter.spamLogOdds("alice@example.test", spam(1000), SessionFacts.none()).orElseThrow();
    }

    private static BulkTraining.Example[] examples() {
        List<BulkTraining.Example> examples = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            examples.add(new BulkTraining.Example("s" + i, spam(i), true));
            examples.add(new BulkTraining.Example("h" + i, ham(i), false));
        }
        return examples.toArray(BulkTraining.Example[]::new);
    }

    /** Spam and ham from several senders, some seen once, some often: their history features depend on the order. */
    private static List<BulkTraining.Example> mixedSenders() {
        List<BulkTraining.Example> examples = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            examples.add(new BulkTraining.Example("s" + i, mail("s" + i, "x" + (i % 5) + "@offer" + (i % 3)
                + ".example", "Cheap offer " + i, "Buy now, huge discount, click here " + i), true));
            examples.add(new BulkTraining.Example("h" + i, mail("h" + i, (i % 2 == 0 ? "bob" : "carol" + i)
                + "@example.test", "Notes " + i, "Hi Alice, the notes from the meeting, see you at the review " + i),
                false));
        }
        return examples;
    }

    @Test
    void theShuffleSeedDecidesTheOrderAndSoTheModel() {
        BulkTraining.Example[] examples = examples();
        double byDefault = trainedLogOdds(examples, f -> new BulkTraining(f, 3));
        double defaultSeed = trainedLogOdds(examples, f -> new BulkTraining(f, 3, BulkTraining.DEFAULT_SEED));
        double sameOther = trainedLogOdds(examples, f -> new BulkTraining(f, 3, 7));
        double other = trainedLogOdds(examples, f -> new BulkTraining(f, 3, 7));
        double third = trainedLogOdds(examples, f -> new BulkTraining(f, 3, 8));

        // The same seed gives the very same model (the order is all that varies); another seed another one.
        assertThat(defaultSeed).isEqualTo(byDefault);
        assertThat(other).isEqualTo(sameOther);
        assertThat(other).isNotEqualTo(byDefault);
        assertThat(third).isNotEqualTo(other);
        // Whatever the order, the model learned the spam as spam.
        assertThat(byDefault).isPositive();
        assertThat(other).isPositive();
    }

    @Test
    void severalOrdersLeaveEachMessageTheMeanOfWhatEachOrderLearnedFromIt() {
        List<BulkTraining.Example> examples = mixedSenders();
        InMemoryTokenStore averaged = new InMemoryTokenStore();
        BulkTraining.Result result = new BulkTraining(new SpamFilter(averaged), 3, 7, 3)
            .train(TokenStore.GLOBAL, examples);
        // What train() averages, kept apart to compare: the same orders over another empty store.
        List<OverlayTokenStore> orders = new ArrayList<>();
        new BulkTraining(new SpamFilter(new InMemoryTokenStore()), 3, 7, 3)
            .trainApart(TokenStore.GLOBAL, examples, orders);

        assertThat(result.spam()).isEqualTo(24);
        assertThat(result.ham()).isEqualTo(24);
        assertThat(orders).hasSize(3);
        for (String scope : List.of(TokenStore.GLOBAL, SpamFilter.headerScope(TokenStore.GLOBAL))) {
            // One record per message and model, counted once, whatever the number of orders.
            assertThat(averaged.totals(scope).spamMessages()).isEqualTo(24);
            assertThat(averaged.totals(scope).hamMessages()).isEqualTo(24);
            assertThat(averaged.totals(scope).bias()).isCloseTo(orders.stream()
                .mapToDouble(s -> s.totals(scope).bias()).average().orElseThrow(), within(1e-9));
            Set<Long> tokens = new HashSet<>();
            for (BulkTraining.Example example : examples) {
                TokenStore.TrainingRecord record = averaged.record(scope, example.key()).orElseThrow();
                assertThat(record.spam()).isEqualTo(example.spam());
                for (OverlayTokenStore order : orders) {
                    // Every order learned the message with the same tokens, its sender history included.
                    assertThat(order.record(scope, example.key()).orElseThrow().tokens()).isEqualTo(record.tokens());
                }
                assertThat(record.weightDelta()).isCloseTo(orders.stream().mapToDouble(s -> s.record(scope,
                    example.key()).orElseThrow().weightDelta()).average().orElseThrow(), within(1e-12));
                for (long token : record.tokens()) {
                    tokens.add(token);
                }
            }
            // So every token weighs the mean of the orders' weights: the average of the models, as one model.
            long[] all = tokens.stream().mapToLong(Long::longValue).toArray();
            double[] weights = averaged.read(scope, all).weights();
            for (int i = 0; i < all.length; i++) {
                double mean = 0;
                for (OverlayTokenStore order : orders) {
                    mean += order.read(scope, new long[] {all[i]}).weights()[0] / orders.size();
                }
                assertThat(weights[i]).isCloseTo(mean, within(1e-9));
            }
        }
        // The orders differ (else there would be nothing to average).
        assertThat(orders.get(0).totals(TokenStore.GLOBAL).bias()).isNotEqualTo(orders.get(1).totals(TokenStore.GLOBAL)
            .bias());
    }

    @Test
    void eachOrderLearnsAMessageWithTheSenderHistoryOfTheWholeTrainingSetLeavingItOut() {
        List<BulkTraining.Example> examples = new ArrayList<>(mixedSenders());
        examples.add(new BulkTraining.Example("once", mail("once", "lonely@elsewhere.example", "Hello",
            "Just once"), false));
        InMemoryTokenStore store = new InMemoryTokenStore();
        new BulkTraining(new SpamFilter(store), 3, 7, 2).train(TokenStore.GLOBAL, examples);

        // x0@offer0 sent two spam, x0@offer2 two: even the first of them an order learns is learned as from a
        // sender seen as spam.
        for (String key : List.of("s0", "s15", "s5", "s20")) {
            assertThat(historyNames(store, key)).containsExactlyInAnyOrder("senderseen:spam", "senderdomseen:spam");
        }
        // A sender with one message is new to it, as a new sender's next message will be.
        assertThat(historyNames(store, "once")).containsExactlyInAnyOrder("senderseen:new", "senderdomseen:new");
        // bob sent the even ham (12): seen as ham, his domain too.
        assertThat(historyNames(store, "h0")).containsExactlyInAnyOrder("senderseen:ham", "senderdomseen:ham");
    }

    private static Set<String> historyNames(InMemoryTokenStore store, String key) {
        Set<String> names = new HashSet<>();
        for (long token : store.record(TokenStore.GLOBAL, key).orElseThrow().tokens()) {
            SenderHistory.name(token).ifPresent(names::add);
        }
        return names;
    }

    @Test
    void anAveragedTrainingIsUndoneExactlyByCorrectionsAndForgetting() {
        List<BulkTraining.Example> examples = mixedSenders();
        InMemoryTokenStore store = new InMemoryTokenStore();
        SpamFilter filter = new SpamFilter(store);
        new BulkTraining(filter, 3, 7, 3).train(TokenStore.GLOBAL, examples);
        Set<Long> tokens = new HashSet<>();
        for (String scope : List.of(TokenStore.GLOBAL, SpamFilter.headerScope(TokenStore.GLOBAL))) {
            examples.forEach(e -> {
                for (long t : store.record(scope, e.key()).orElseThrow().tokens()) {
                    tokens.add(t);
                }
            });
        }

        filter.learn(TokenStore.GLOBAL, "s3", examples.get(6).content(), false); // a correction after it
        examples.forEach(e -> filter.forget(TokenStore.GLOBAL, e.key()));

        long[] all = tokens.stream().mapToLong(Long::longValue).toArray();
        for (String scope : List.of(TokenStore.GLOBAL, SpamFilter.headerScope(TokenStore.GLOBAL))) {
            assertThat(store.totals(scope).messages()).isZero();
            assertThat(store.totals(scope).bias()).isCloseTo(0, within(1e-9));
            for (double weight : store.read(scope, all).weights()) {
                assertThat(weight).isCloseTo(0, within(1e-9));
            }
        }
    }

    @Test
    void anAveragedTrainingCorrectsMessagesTrainedBeforeWithTheOtherLabel() {
        List<BulkTraining.Example> examples = mixedSenders();
        InMemoryTokenStore store = new InMemoryTokenStore();
        SpamFilter filter = new SpamFilter(store);
        filter.learn(TokenStore.GLOBAL, "s0", examples.get(0).content(), false); // wrongly trained as ham
        filter.learn(TokenStore.GLOBAL, "h0", examples.get(1).content(), false); // rightly

        new BulkTraining(filter, 3, 7, 3).train(TokenStore.GLOBAL, examples);

        assertThat(store.record(TokenStore.GLOBAL, "s0").orElseThrow().spam()).isTrue();
        assertThat(store.totals(TokenStore.GLOBAL).spamMessages()).isEqualTo(24);
        assertThat(store.totals(TokenStore.GLOBAL).hamMessages()).isEqualTo(24);
        assertThat(filter.spamLogOdds("alice@example.test", mail("n1", "x9@offer0.example", "Cheap offer",
            "Buy now, huge discount, click here"), SessionFacts.none()).orElseThrow()).isPositive();
        assertThat(filter.spamLogOdds("alice@example.test", mail("n2", "bob@example.test", "Notes",
            "Hi Alice, the notes from the meeting"), SessionFacts.none()).orElseThrow()).isNegative();
    }

    @Test
    void aUsersAveragedTrainingGoesToTheUserAndTheSharedGlobalModel() {
        List<BulkTraining.Example> examples = mixedSenders();
        InMemoryTokenStore store = new InMemoryTokenStore();
        new BulkTraining(new SpamFilter(store), 3, 7, 2).train("alice@example.test", examples);

        for (String scope : List.of("alice@example.test", TokenStore.GLOBAL,
            SpamFilter.headerScope("alice@example.test"), SpamFilter.headerScope(TokenStore.GLOBAL))) {
            assertThat(store.totals(scope).messages()).isEqualTo(48);
            assertThat(store.record(scope, "s5")).isPresent();
        }
    }

    @Test
    void ordersMustBePositive() {
        SpamFilter filter = new SpamFilter(new InMemoryTokenStore());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BulkTraining(filter, 3, 7, 0))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
