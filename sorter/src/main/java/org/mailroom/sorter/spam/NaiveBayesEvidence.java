package org.mailroom.sorter.spam;

/**
 * The naive-Bayes opinion of a message from the spam/ham message counts the token store keeps beside the weights
 * (Robinson's smoothed token probabilities, as SpamBayes and Bogofilter use). Counts answer a different question
 * than the regression's weights: how often a token was seen in each class rather than how much it was needed to
 * fix mistakes, so rare tokens the regression never had to move still speak.
 */
final class NaiveBayesEvidence {
    /** Robinson's strength of the 0.5 prior for a token: one message's worth. */
    private static final double PRIOR_STRENGTH = 1.0;
    /** Tokens whose smoothed probability is closer to 0.5 than this say nothing (SpamBayes' minimum_prob_strength). */
    private static final double MIN_STRENGTH = 0.1;
    /** At most this many of the strongest tokens are combined (SpamBayes' max_discriminators). */
    static final int MAX_DISCRIMINATORS = 150;
    private static final double CLAMP = 1e-4;

    private NaiveBayesEvidence() {
    }

    /**
     * The strongest tokens' smoothed log-odds, summed and scaled by 1/√(tokens kept) like the regression's unit-length
     * features (0 = no opinion). Chi-square combining (SpamBayes) was tried first: it saturates, tying many ham at
     * its bound, which ruins the low false-positive end.
     *
     * @param spam        per token, the spam messages it was seen in
     * @param ham         per token, the ham messages it was seen in
     * @param spamTotal   spam messages trained
     * @param hamTotal    ham messages trained
     */
    static double logOdds(int[] spam, int[] ham, int spamTotal, int hamTotal) {
        if (spamTotal == 0 || hamTotal == 0) {
            return 0;
        }
        // A min-heap (by strength) of the strongest MAX_DISCRIMINATORS tokens: a 50 KB message has thousands of
        // tokens, and a scan of the kept ones per replacement cost more than the rest of the classification.
        double[] strongest = new double[Math.min(spam.length, MAX_DISCRIMINATORS)];
        double[] strength = new double[strongest.length];
        int kept = 0;
        for (int i = 0; i < spam.length; i++) {
            int n = spam[i] + ham[i];
            if (n == 0) {
                continue;
            }
            double ps = Math.min(1.0, (double) spam[i] / spamTotal);
            double ph = Math.min(1.0, (double) ham[i] / hamTotal);
            double p = ps / (ps + ph);
            double f = (PRIOR_STRENGTH * 0.5 + n * p) / (PRIOR_STRENGTH + n);
            double s = Math.abs(f - 0.5);
            if (s < MIN_STRENGTH) {
                continue;
            }
            if (kept < strongest.length) {
                int at = kept++;
                while (at > 0 && strength[(at - 1) / 2] > s) {
                    strength[at] = strength[(at - 1) / 2];
                    strongest[at] = strongest[(at - 1) / 2];
                    at = (at - 1) / 2;
                }
                strength[at] = s;
                strongest[at] = f;
            } else if (s > strength[0]) {
                int at = 0;
                while (true) {
                    int child = 2 * at + 1;
                    if (child >= kept) {
                        break;
                    }
                    if (child + 1 < kept && strength[child + 1] < strength[child]) {
                        child++;
                    }
                    if (strength[child] >= s) {
                        break;
                    }
                    strength[at] = strength[child];
                    strongest[at] = strongest[child];
                    at = child;
                }
                strength[at] = s;
                strongest[at] = f;
            }
        }
        if (kept == 0) {
            return 0;
        }
        // The strongest tokens' log-odds, summed and scaled like the regression's features (by 1/√count): a
        // smooth score, where chi-square combining saturates and ties many messages at its bounds.
        double sum = 0;
        for (int i = 0; i < kept; i++) {
            double f = Math.min(1 - CLAMP, Math.max(CLAMP, strongest[i]));
            sum += Math.log(f / (1 - f));
        }
        return sum / Math.sqrt(kept);
    }
}
