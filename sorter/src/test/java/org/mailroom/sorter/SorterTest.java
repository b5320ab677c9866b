package org.mailroom.sorter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.mailroom.sorter.rules.Rule;
import org.mailroom.sorter.rules.RuleParser;
import org.mailroom.sorter.rules.RuleSyntaxException;
import org.mailroom.sorter.rules.UserRules;

class SorterTest {

    private static final IncomingMail BANK = TestMail.of("""
        From: statements@bank.example
        To: alice@example.test
        Subject: Your statement

        Hello
        """);

    private static Signal fixed(String name, Dimension dimension, double value) {
        return mail -> List.of(new Score(name, dimension, value, name + " says so"));
    }

    private static UserRules rules(String... lines) throws RuleSyntaxException {
        List<Rule> parsed = new RuleParser().parseFile("conf/rules", List.of(lines));
        return user -> parsed;
    }

    @Test
    void scoresDecideWhenNoRuleMatches() {
        assertThat(new Sorter(UserRules.none(), List.of(fixed("a", Dimension.SPAM, 2.0),
            fixed("b", Dimension.SPAM, -1.0)), ContentInspection.none()).sort(BANK).category())
            .isEqualTo(Category.SPAM);
        Decision priority = new Sorter(UserRules.none(), List.of(fixed("a", Dimension.SPAM, -0.5),
            fixed("imp", Dimension.IMPORTANCE, 0.7)), ContentInspection.none()).sort(BANK);
        assertThat(priority.category()).isEqualTo(Category.PRIORITY);
        assertThat(priority.keywords()).containsExactlyInAnyOrder("$Important", "$NotJunk");
        Decision inbox = new Sorter(UserRules.none(), List.of(fixed("imp", Dimension.IMPORTANCE, -0.1)),
            ContentInspection.none()).sort(BANK);
        assertThat(inbox.category()).isEqualTo(Category.INBOX);
        assertThat(inbox.keywords()).containsExactly("$NotJunk");
        assertThat(Sorter.inboxOnly().sort(BANK).reason()).isEqualTo("no evidence either way");
    }

    @Test
    void spamOutranksImportance() {
        Decision decision = new Sorter(UserRules.none(), List.of(fixed("bayes", Dimension.SPAM, 0.1),
            fixed("imp", Dimension.IMPORTANCE, 5)), ContentInspection.none()).sort(BANK);
        assertThat(decision.category()).isEqualTo(Category.SPAM);
        assertThat(decision.keywords()).containsExactly("$Junk");
    }

    @Test
    void aMatchingRuleBeatsAnyScoreButTheScoresAreStillShown() throws RuleSyntaxException {
        Sorter sorter = new Sorter(rules("if from domain other.test then spam",
            "if from domain bank.example then priority, keyword $Bank"),
            List.of(fixed("bayes", Dimension.SPAM, 30), fixed("imp", Dimension.IMPORTANCE, -4)),
            ContentInspection.none());
        Decision decision = sorter.sort(BANK);
        assertThat(decision.category()).isEqualTo(Category.PRIORITY);
        assertThat(decision.keywords()).containsExactlyInAnyOrder("$Important", "$NotJunk", "$Bank");
        assertThat(decision.matchedRule()).contains("conf/rules:2: if from domain bank.example then priority, "
            + "keyword $Bank");
        assertThat(decision.scores()).extracting(Score::signal).containsExactly("bayes", "imp");
        assertThat(decision.reason()).startsWith("rule conf/rules:2; bayes says so (bayes +30.00)");
    }

    @Test
    void theFirstDecidingRuleWinsKeywordRulesAccumulateAndStopEndsTheRules() throws RuleSyntaxException {
        Decision first = new Sorter(rules(
            "if subject contains statement then keyword $Money",
            "if from domain bank.example then fileinto \"Banking\"",
            "if from exists then spam"), List.of(fixed("s", Dimension.SPAM, 3)), ContentInspection.none())
            .sort(BANK);
        assertThat(first.category()).as("fileinto alone files as Inbox").isEqualTo(Category.INBOX);
        assertThat(first.folder()).contains("Banking");
        assertThat(first.keywords()).containsExactlyInAnyOrder("$Money", "$NotJunk");

        Decision stopped = new Sorter(rules(
            "if subject contains statement then keyword $Money, stop",
            "if from exists then priority"), List.of(fixed("s", Dimension.SPAM, 3)), ContentInspection.none())
            .sort(BANK);
        assertThat(stopped.category()).as("stop leaves the place to the scores").isEqualTo(Category.SPAM);
        assertThat(stopped.matchedRule()).isEmpty();
        assertThat(stopped.keywords()).containsExactlyInAnyOrder("$Money", "$Junk");
    }

    @Test
    void failingSignalsRulesAndInspectionNeverStopSorting() {
        Signal throwing = mail -> {
            throw new IllegalStateException("boom");
        };
        UserRules brokenRules = user -> {
            throw new IllegalStateException("disk gone");
        };
        ContentInspection brokenInspection = content -> {
            throw new IllegalStateException("tika");
        };
        Decision decision = new Sorter(brokenRules, List.of(throwing, fixed("ok", Dimension.IMPORTANCE, 1)),
            brokenInspection).sort(BANK);
        assertThat(decision.category()).isEqualTo(Category.PRIORITY);
        assertThat(decision.scores()).extracting(Score::signal).containsExactly("ok");
    }

    @Test
    void reasonNamesTheStrongestScoresFirst() {
        List<Signal> signals = new ArrayList<>();
        signals.add(fixed("small", Dimension.SPAM, 0.1));
        signals.add(fixed("big", Dimension.SPAM, -3));
        signals.add(fixed("mid", Dimension.IMPORTANCE, 1));
        signals.add(fixed("tiny", Dimension.IMPORTANCE, 0.01));
        Decision decision = new Sorter(UserRules.none(), signals, ContentInspection.none()).sort(BANK);
        assertThat(decision.reason()).isEqualTo(
            "big says so (big -3.00), mid says so (mid +1.00), small says so (small +0.10)");
        assertThat(decision.folder()).isEqualTo(Optional.empty());
    }

    @Test
    void reasonKeepsTheEarlierOfEqualScoresAndLeavesOutZeros() {
        List<Signal> signals = new ArrayList<>();
        signals.add(fixed("zero", Dimension.SPAM, 0));
        signals.add(fixed("first", Dimension.SPAM, 1));
        signals.add(fixed("second", Dimension.IMPORTANCE, -1));
        signals.add(fixed("third", Dimension.SPAM, 1));
        signals.add(fixed("fourth", Dimension.SPAM, 1));
        Decision decision = new Sorter(UserRules.none(), signals, ContentInspection.none()).sort(BANK);
        assertThat(decision.reason()).isEqualTo(
            "first says so (first +1.00), second says so (second -1.00), third says so (third +1.00)");
    }

    @Test
    void signedScoresReadAsFormatterWritesThem() {
        java.util.Random random = new java.util.Random(7);
        double[] edges = {0.005, 0.015, 0.125, -0.125, 1.005, -2.675, 1e-9, -1e-9, 12345.678, 0.995, -0.995, 3.0};
        for (double v : edges) {
            assertThat(Sorter.signed(v)).as("%s", v).isEqualTo(String.format(java.util.Locale.ROOT, "%+.2f", v));
        }
        for (int i = 0; i < 20_000; i++) {
            double v = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(6) - 2);
            assertThat(Sorter.signed(v)).as("%s", v).isEqualTo(String.format(java.util.Locale.ROOT, "%+.2f", v));
        }
    }
}
