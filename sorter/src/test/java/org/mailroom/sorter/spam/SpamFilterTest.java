package org.mailroom.sorter.spam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.mailroom.sorter.spam.TestMails.ham;
import static org.mailroom.sorter.spam.TestMails.incoming;
import static org.mailroom.sorter.spam.TestMails.spam;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mailroom.sorter.Dimension;
import org.mailroom.sorter.Score;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailContent;

class SpamFilterTest {
    private static final String ALICE = "alice@example.test";
    private static final String BOB = "bob@example.test";

    private final InMemoryTokenStore store = new InMemoryTokenStore();
    private final SpamFilter filter = new SpamFilter(store);

    private void trainGlobal(int each) {
        List<BulkTraining.Example> examples = new ArrayList<>();
        for (int i = 0; i < each; i++) {
            examples.add(new BulkTraining.Example("s" + i, spam(i), true));
            examples.add(new BulkTraining.Example("h" + i, ham(i), false));
        }
        new BulkTraining(filter).train(TokenStore.GLOBAL, examples);
    }

    private double total(String user, MailContent content) {
        return filter.evaluate(incoming(user, content)).stream().mapToDouble(Score::value).sum();
    }

    @Test
    void saysNothingBeforeAnyTraining() {
        assertThat(filter.evaluate(incoming(ALICE, spam(1)))).isEmpty();
    }

    @Test
    void aMessagesRecipientsGetTheScoresOfSeparatelyParsedCopies() {
        trainGlobal(20);
        filter.learn(BOB, spam(7), false);
        MailContent shared = spam(1000);

        // One parsed message for both recipients, one after the other (the second replays the first's extraction),
        // against a filter of its own (nothing remembered) judging freshly parsed copies.
        List<Score> alice = filter.evaluate(incoming(ALICE, shared));
        List<Score> bob = filter.evaluate(incoming(BOB, shared));
        SpamFilter fresh = new SpamFilter(store);

        assertThat(alice).isNotEmpty().isEqualTo(fresh.evaluate(incoming(ALICE, spam(1000))));
        assertThat(bob).isNotEmpty().isEqualTo(fresh.evaluate(incoming(BOB, spam(1000))));
        assertThat(bob).isNotEqualTo(alice);
        // A different message on the same thread is extracted afresh, not taken for the last one.
        assertThat(filter.evaluate(incoming(ALICE, ham(1000)))).isEqualTo(fresh.evaluate(incoming(ALICE, ham(1000))));
    }

    @Test
    void separatesSpamFromHamAfterTrainingAndNamesTheTokens() {
        trainGlobal(20);

        List<Score> scores = filter.evaluate(incoming(ALICE, spam(1000)));
        assertThat(scores).allMatch(s -> s.dimension() == Dimension.SPAM);
        assertThat(scores.stream().mapToDouble(Score::value).sum()).isGreaterThan(1);
        assertThat(scores.get(0).signal()).isEqualTo("spam-classifier");
        assertThat(scores.get(0).reason()).startsWith("learned: looks like spam (\"");
        // Boosted features count as several tokens under one name; the reason names each once.
        List<String> named = List.of(scores.get(0).reason().split("\""));
        List<String> tokens = new ArrayList<>();
        for (int i = 1; i < named.size(); i += 2) {
            tokens.add(named.get(i));
        }
        assertThat(tokens).isNotEmpty().doesNotHaveDuplicates();
        assertThat(total(ALICE, ham(1000))).isLessThan(-1);
    }

    @Test
    void aHamStepCountsHamWeightTimesASpamStep() {
        SpamModelSettings plain = SpamModelSettings.defaults().withBayesWeight(0).withHamWeight(1);
        SpamFilter even = new SpamFilter(new InMemoryTokenStore(), plain);
        SpamFilter weighted = new SpamFilter(new InMemoryTokenStore(), plain.withHamWeight(3));
        MailContent message = ham(7);
        even.learn(TokenStore.GLOBAL, "h", message, false);
        weighted.learn(TokenStore.GLOBAL, "h", message, false);
        double evenLogOdds = even.spamLogOdds(ALICE, message, SessionFacts.none()).orElseThrow();
        double weightedLogOdds = weighted.spamLogOdds(ALICE, message, SessionFacts.none()).orElseThrow();
        // From zero weights the first step is rate × (0 - 0.5) × √n per message (unit-length features).
        assertThat(evenLogOdds).isNegative();
        assertThat(weightedLogOdds + plain.decisionOffset()).isCloseTo(3 * (evenLogOdds + plain.decisionOffset()),
            within(1e-6));

        MailContent junk = spam(7);
        even.learn(TokenStore.GLOBAL, "s", junk, true);
        weighted.learn(TokenStore.GLOBAL, "s2", junk, true);
        assertThat(weighted.spamLogOdds(ALICE, junk, SessionFacts.none()).orElseThrow())
            .isLessThan(even.spamLogOdds(ALICE, junk, SessionFacts.none()).orElseThrow());
    }

    @Test
    void badSettingsAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SpamModelSettings.defaults().withHamWeight(0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ham weight 0.0");
    }

    @Test
    void scoresAddUpToTheLogOdds() {
        trainGlobal(10);
        MailContent content = spam(500);
        assertThat(total(ALICE, content)).isCloseTo(
            filter.spamLogOdds(ALICE, content, SessionFacts.none()).orElseThrow(), within(1e-9));
    }

    @Test
    void theNaiveBayesOpinionIsAddedAtItsWeightAndLeansTheRightWay() {
        trainGlobal(20);
        SpamFilter regressionOnly = new SpamFilter(store, SpamModelSettings.defaults().withBayesWeight(0));
        SpamFilter.Evidence spamEvidence = filter.evidence(ALICE, spam(1000), SessionFacts.none()).orElseThrow();
        SpamFilter.Evidence hamEvidence = filter.evidence(ALICE, ham(1000), SessionFacts.none()).orElseThrow();

        assertThat(spamEvidence.bayes()).isGreaterThan(1);
        assertThat(hamEvidence.bayes()).isLessThan(-1);
        double weight = SpamModelSettings.defaults().bayesWeight();
        assertThat(weight).isPositive();
        assertThat(filter.spamLogOdds(ALICE, spam(1000), SessionFacts.none()).orElseThrow()).isCloseTo(
            regressionOnly.spamLogOdds(ALICE, spam(1000), SessionFacts.none()).orElseThrow()
                + weight * spamEvidence.bayes(), within(1e-9));
    }

    @Test
    void learningTheSameMessageTwiceChangesNothing() {
        filter.learn(ALICE, "<1@x>", spam(1), true);
        TokenStore.Totals once = store.totals(ALICE);
        double scoreOnce = total(ALICE, spam(2));

        filter.learn(ALICE, "<1@x>", spam(1), true);

        assertThat(store.totals(ALICE)).isEqualTo(once);
        assertThat(total(ALICE, spam(2))).isEqualTo(scoreOnce);
    }

    @Test
    void aCorrectionUndoesTheEarlierTraining() {
        filter.learn(ALICE, "<1@x>", spam(1), true);
        filter.learn(ALICE, "<1@x>", spam(1), false);

        TokenStore.Totals totals = store.totals(ALICE);
        assertThat(totals.spamMessages()).isZero();
        assertThat(totals.hamMessages()).isEqualTo(1);
        assertThat(store.record(ALICE, "<1@x>").orElseThrow().spam()).isFalse();
        assertThat(total(ALICE, spam(1))).isLessThan(0);
    }

    @Test
    void forgettingRestoresAnUntrainedModel() {
        filter.learn(ALICE, "<1@x>", spam(1), true);
        filter.forget(ALICE, "<1@x>");

        assertThat(store.totals(ALICE).messages()).isZero();
        assertThat(store.totals(TokenStore.GLOBAL).messages()).isZero();
        long[] tokens = {FeatureExtractor.factHash("missing-date")};
        assertThat(store.read(ALICE, tokens).weights()[0]).isZero();
        assertThat(store.totals(ALICE).bias()).isCloseTo(0, within(1e-12));
    }

    @Test
    void aUserWithoutTrainingGetsTheGlobalModelAndTheUsersCorrectionsRefineIt() {
        trainGlobal(20);
        double before = total(BOB, spam(77));
        assertThat(total(ALICE, spam(77))).isEqualTo(before);

        // Bob wants these offers: he marks several as not junk. Only his own verdicts move.
        SpamFilter bobsOwn = new SpamFilter(store, SpamModelSettings.defaults().withLearningRate(1.0));
        for (int i = 100; i < 130; i++) {
            bobsOwn.learn(BOB, "<bob" + i + "@x>", spam(i), false);
        }
        assertThat(total(BOB, spam(77))).isLessThan(before - 0.5);
        assertThat(total(ALICE, spam(77))).isLessThan(before);
        assertThat(total(ALICE, spam(77))).isGreaterThan(total(BOB, spam(77)));
    }

    @Test
    void withoutSharingAUsersTrainingStaysPrivate() {
        SpamFilter isolated = new SpamFilter(store, new SpamModelSettings(1.0, 0, 4, false));
        isolated.learn(ALICE, "<1@x>", spam(1), true);

        assertThat(store.totals(TokenStore.GLOBAL).messages()).isZero();
        assertThat(isolated.evaluate(incoming(BOB, spam(2)))).isEmpty();
        assertThat(isolated.evaluate(incoming(ALICE, spam(2)))).isNotEmpty();
    }

    @Test
    void factsAreReportedWithTheirOwnLearnedWeightAndReason() {
        List<BulkTraining.Example> examples = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            examples.add(new BulkTraining.Example("s" + i, TestMails.parse("From: x@spam.example\nSubject: offer "
                + i + "\n\nbuy now " + i + "\n"), true));
            examples.add(new BulkTraining.Example("h" + i, ham(i), false));
        }
        new BulkTraining(filter).train(TokenStore.GLOBAL, examples);

        List<Score> scores = filter.evaluate(incoming(ALICE, TestMails.parse("From: y@other.example\nSubject: hi"
            + "\n\nhello there\n")));
        assertThat(scores).anySatisfy(s -> {
            assertThat(s.signal()).isEqualTo("spam-missing-date");
            assertThat(s.reason()).isEqualTo("no Date header");
            assertThat(s.value()).isGreaterThan(0);
        });
    }

    @Test
    void messageKeyIsTheMessageIdOrADigest() {
        assertThat(SpamFilter.messageKey(ham(5))).isEqualTo("<5@example.test>");
        MailContent noId = TestMails.parse("From: a@b.example\nSubject: x\n\nbody\n");
        assertThat(SpamFilter.messageKey(noId)).startsWith("sha256:").isEqualTo(SpamFilter.messageKey(
            TestMails.parse("From: a@b.example\nSubject: x\n\nbody\n")));
    }

    @Test
    void forgettingAReinforcedMessageUndoesEveryStepAfterItsSendersHistoryChanged() {
        SpamFilter slow = new SpamFilter(store, SpamModelSettings.defaults().withLearningRate(1.0));
        slow.learn(ALICE, "<9@x>", spam(9), true);   // the sender is new when it is first learned
        slow.learn(ALICE, "<10@x>", spam(10), true); // now the sender has spam history
        assertThat(slow.reinforce(ALICE, "<9@x>", spam(9), true)).isTrue();

        slow.forget(ALICE, "<9@x>");
        slow.forget(ALICE, "<10@x>");

        long[] newSender = SenderHistory.ADDRESS;
        for (String scope : List.of(ALICE, TokenStore.GLOBAL)) {
            for (double weight : store.read(scope, newSender).weights()) {
                assertThat(weight).isCloseTo(0, within(1e-9));
            }
            assertThat(store.totals(scope).bias()).isCloseTo(0, within(1e-9));
        }
    }

    @Test
    void theHeaderModelLearnsTheHeaderFeaturesAloneAndIsAddedAtItsWeight() {
        trainGlobal(20);
        String headers = SpamFilter.headerScope(TokenStore.GLOBAL);
        assertThat(store.totals(headers).messages()).isEqualTo(40);
        // Its features are the message's header, delivery, structure and history features and the subject's words
        // and pairs: a part of the message's tokens, without the body's words.
        long[] headerTokens = store.record(headers, "s3").orElseThrow().tokens();
        long[] allTokens = store.record(TokenStore.GLOBAL, "s3").orElseThrow().tokens();
        assertThat(allTokens).contains(headerTokens);
        assertThat(headerTokens.length).isPositive().isLessThan(allTokens.length);
        List<Long> subjectWords = new ArrayList<>();
        FeatureExtractor.words("s", "Cheap pills discount", 500, subjectWords::add);
        List<Long> bodyWords = new ArrayList<>();
        FeatureExtractor.words("b", "Buy cheap pills now", 500, bodyWords::add);
        assertThat(allTokens).contains(bodyWords.stream().mapToLong(Long::longValue).toArray());
        assertThat(headerTokens).contains(FeatureHash.of("h", "subject"))
            .contains(subjectWords.stream().mapToLong(Long::longValue).toArray())
            .doesNotContain(bodyWords.stream().mapToLong(Long::longValue).toArray());

        SpamFilter.Evidence spamEvidence = filter.evidence(ALICE, spam(1000), SessionFacts.none()).orElseThrow();
        SpamFilter.Evidence hamEvidence = filter.evidence(ALICE, ham(1000), SessionFacts.none()).orElseThrow();
        assertThat(spamEvidence.headers()).isGreaterThan(0);
        assertThat(hamEvidence.headers()).isLessThan(0);
        double weight = SpamModelSettings.defaults().headerWeight();
        assertThat(weight).isPositive();
        SpamFilter withoutHeaderModel = new SpamFilter(store, SpamModelSettings.defaults().withHeaderWeight(0));
        assertThat(filter.spamLogOdds(ALICE, spam(1000), SessionFacts.none()).orElseThrow()).isCloseTo(
            withoutHeaderModel.spamLogOdds(ALICE, spam(1000), SessionFacts.none()).orElseThrow()
                + weight * spamEvidence.headers(), within(1e-9));
        // Its opinion is reported as a score of its own, and the scores still add up to the log-odds.
        List<Score> scores = filter.evaluate(incoming(ALICE, spam(1000)));
        assertThat(scores).anySatisfy(s -> {
            assertThat(s.signal()).isEqualTo("spam-header-model");
            assertThat(s.value()).isCloseTo(weight * spamEvidence.headers(), within(1e-9));
            assertThat(s.reason()).isEqualTo("learned from the headers alone: look like spam");
        });
        assertThat(total(ALICE, spam(1000))).isCloseTo(
            filter.spamLogOdds(ALICE, spam(1000), SessionFacts.none()).orElseThrow(), within(1e-9));
    }

    @Test
    void withoutAHeaderWeightNoHeaderModelIsTrained() {
        SpamFilter plain = new SpamFilter(store, SpamModelSettings.defaults().withHeaderWeight(0));
        plain.learn(ALICE, "<1@x>", spam(1), true);
        assertThat(store.totals(TokenStore.GLOBAL).messages()).isEqualTo(1);
        assertThat(store.totals(SpamFilter.headerScope(TokenStore.GLOBAL)).messages()).isZero();
        assertThat(store.totals(SpamFilter.headerScope(ALICE)).messages()).isZero();
    }

    @Test
    void correctingAndForgettingUndoTheHeaderModelsStepsExactly() {
        SpamFilter slow = new SpamFilter(store, SpamModelSettings.defaults().withLearningRate(1.0));
        slow.learn(ALICE, "<9@x>", spam(9), true);
        slow.learn(ALICE, "<10@x>", spam(10), true);
        assertThat(slow.reinforce(ALICE, "<9@x>", spam(9), true)).isTrue();
        slow.learn(ALICE, "<9@x>", spam(9), false); // the user's correction: the spam steps are undone first
        for (String user : List.of(ALICE, TokenStore.GLOBAL)) {
            String scope = SpamFilter.headerScope(user);
            assertThat(store.record(scope, "<9@x>").orElseThrow().spam()).isFalse();
            assertThat(store.totals(scope).spamMessages()).isEqualTo(1);
            assertThat(store.totals(scope).hamMessages()).isEqualTo(1);
        }
        long[] headerTokens = store.record(SpamFilter.headerScope(ALICE), "<9@x>").orElseThrow().tokens();

        slow.forget(ALICE, "<9@x>");
        slow.forget(ALICE, "<10@x>");

        for (String user : List.of(ALICE, TokenStore.GLOBAL)) {
            String scope = SpamFilter.headerScope(user);
            assertThat(store.record(scope, "<9@x>")).isEmpty();
            assertThat(store.totals(scope).messages()).isZero();
            assertThat(store.totals(scope).bias()).isCloseTo(0, within(1e-9));
            for (double weight : store.read(scope, headerTokens).weights()) {
                assertThat(weight).isCloseTo(0, within(1e-9));
            }
        }
    }

    @Test
    void reinforcementOnlyStepsForLearnedUnsureMessages() {
        // A small learning rate, so that one step leaves the message within the margin.
        SpamFilter slow = new SpamFilter(store, SpamModelSettings.defaults().withLearningRate(1.0));
        assertThat(slow.reinforce(ALICE, "<9@x>", spam(9), true)).isFalse();
        slow.learn(ALICE, "<9@x>", spam(9), true);
        double before = store.record(ALICE, "<9@x>").orElseThrow().weightDelta();

        assertThat(slow.reinforce(ALICE, "<9@x>", spam(9), true)).isTrue();
        assertThat(slow.reinforce(ALICE, "<9@x>", spam(9), false)).isFalse();
        assertThat(store.record(ALICE, "<9@x>").orElseThrow().weightDelta()).isGreaterThan(before);

        // The record holds every step, so a correction still undoes all of them.
        slow.learn(ALICE, "<9@x>", spam(9), false);
        slow.forget(ALICE, "<9@x>");
        assertThat(store.totals(ALICE).bias()).isCloseTo(0, within(1e-9));
    }

    @Test
    void theStudyFeaturesAreTheTokensEachModelTrainsOnAndNameThem() {
        trainGlobal(5);
        MailContent message = spam(42);
        filter.learn(TokenStore.GLOBAL, "<42@x>", message, true);
        SpamFilter.StudyFeatures study = filter.studyFeatures(message, SessionFacts.none());
        java.util.Map<Long, String> history = filter.studySenderHistory(TokenStore.GLOBAL, "<42@x>", message);

        // The history the message's own training step saw (itself left out) and the extractor's tokens are exactly
        // the tokens the main model's and the header model's records hold.
        assertThat(history).hasSize(2 * FeatureExtractor.BOOST);
        assertThat(union(history.keySet(), study.tokens()))
            .isEqualTo(union(List.of(), store.record(TokenStore.GLOBAL, "<42@x>").orElseThrow().tokens()));
        assertThat(union(history.keySet(), study.headerTokens())).isEqualTo(
            union(List.of(), store.record(SpamFilter.headerScope(TokenStore.GLOBAL), "<42@x>").orElseThrow().tokens()));
        assertThat(study.headerTokens().length).isLessThan(study.tokens().length);
        // Every hash has a name: words and pairs as the reason spells them, facts by their key, history by bucket.
        for (long h : study.tokens()) {
            assertThat(study.names()).containsKey(h);
        }
        assertThat(study.names().values()).contains("s:cheap").anyMatch(n -> n.startsWith("fact:"));
        assertThat(history.values()).allMatch(n -> n.startsWith("senderseen:") || n.startsWith("senderdomseen:"));
        // Its sender's other trained mail is spam; a sender never trained reads as new.
        assertThat(history.values()).contains("senderseen:spam");
        assertThat(filter.studySenderHistory(TokenStore.GLOBAL, "<43@x>", TestMails.mail("43",
            "nobody@elsewhere.test", "hello", "hello there")).values()).contains("senderseen:new");
    }

    private static java.util.Set<Long> union(java.util.Collection<Long> some, long[] more) {
        java.util.Set<Long> out = new java.util.HashSet<>(some);
        for (long h : more) {
            out.add(h);
        }
        return out;
    }
}
