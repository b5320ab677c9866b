package org.mailroom.sorter.spam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailroom.sorter.spam.TestMails.ham;
import static org.mailroom.sorter.spam.TestMails.spam;

import java.util.ArrayList;
import java.util.List;

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
}
