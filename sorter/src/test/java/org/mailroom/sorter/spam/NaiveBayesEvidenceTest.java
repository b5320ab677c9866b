package org.mailroom.sorter.spam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NaiveBayesEvidenceTest {

    @Test
    void tokensSeenMostlyInSpamSaySpamAndMostlyInHamSayHam() {
        int[] spam = {40, 30, 5};
        int[] ham = {1, 2, 5};
        assertThat(NaiveBayesEvidence.logOdds(spam, ham, 50, 50)).isGreaterThan(2);
        assertThat(NaiveBayesEvidence.logOdds(ham, spam, 50, 50)).isLessThan(-2);
    }

    @Test
    void classSizesAreAccountedFor() {
        // 10 of 10 spam and 10 of 1000 ham: a spam token, though its raw counts are equal.
        assertThat(NaiveBayesEvidence.logOdds(new int[] {10}, new int[] {10}, 10, 1000)).isGreaterThan(3);
    }

    @Test
    void unseenNeutralOrUntrainedTokensSayNothing() {
        assertThat(NaiveBayesEvidence.logOdds(new int[] {0, 0}, new int[] {0, 0}, 50, 50)).isZero();
        assertThat(NaiveBayesEvidence.logOdds(new int[] {20}, new int[] {20}, 50, 50)).isZero();
        assertThat(NaiveBayesEvidence.logOdds(new int[] {20}, new int[] {0}, 50, 0)).isZero();
    }

    @Test
    void aSingleSightingIsDampedByThePrior() {
        // Seen once in spam: Robinson's f = (0.5 + 1)/(1 + 1) = 0.75, log-odds ln 3.
        assertThat(NaiveBayesEvidence.logOdds(new int[] {1}, new int[] {0}, 10, 10)).isCloseTo(Math.log(3),
            within(1e-9));
    }

    @Test
    void onlyTheStrongestTokensCount() {
        int tokens = NaiveBayesEvidence.MAX_DISCRIMINATORS + 50;
        int[] spam = new int[tokens];
        int[] ham = new int[tokens];
        for (int i = 0; i < tokens; i++) {
            // 150 strong ham tokens, then 50 weaker spam tokens that must be left out.
            spam[i] = i < NaiveBayesEvidence.MAX_DISCRIMINATORS ? 0 : 3;
            ham[i] = i < NaiveBayesEvidence.MAX_DISCRIMINATORS ? 40 : 1;
        }
        double f = (0.5 + 40 * 0.0) / 41;
        assertThat(NaiveBayesEvidence.logOdds(spam, ham, 50, 50)).isCloseTo(
            Math.sqrt(NaiveBayesEvidence.MAX_DISCRIMINATORS) * Math.log(f / (1 - f)), within(1e-9));
    }
}
