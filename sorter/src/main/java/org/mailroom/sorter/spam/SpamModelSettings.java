package org.mailroom.sorter.spam;

/**
 * The tuning of the spam classifier, chosen by cross-validation on the development corpus (see sorter/README.md,
 * "Spam"): nothing here is corpus-specific.
 *
 * @param learningRate     step size of the online logistic regression (features are scaled to unit length, so
 *                         one step moves the message's own log-odds by about this much times its error)
 * @param decisionOffset   log-odds subtracted from the model's output before it is reported, so that the Sorter's
 *                         threshold of 0 sits where a wrongly filed ham is {@code e^offset} times as costly as a
 *                         missed spam
 * @param reinforceMargin  in bulk training after the first pass, a message is trained again only while its
 *                         log-odds are on the wrong side of, or within this margin of, its label (thick-threshold
 *                         training, as DSPAM's and CRM114's TOE/TUNE)
 * @param shareWithGlobal  whether a user's training also trains the global model every user starts from
 * @param bayesWeight      how much the naive-Bayes opinion from the token counts ({@link NaiveBayesEvidence}) is
 *                         added to the regression's log-odds (0 = regression alone)
 * @param hamWeight        how much more a ham's training step counts than a spam's (class weighting): a lost ham
 *                         costs more than a missed spam, so the ham side of the boundary is learned harder, which
 *                         keeps the few spam-looking ham (newsletters) further below the threshold
 * @param headerWeight     how much the header model's log-odds (a second regression over the header, delivery,
 *                         structure and sender-history features alone, {@link SpamFilter}) are added to the main
 *                         model's (0 = no header model: it is then neither trained nor read)
 */
public record SpamModelSettings(double learningRate, double decisionOffset, double reinforceMargin,
                                boolean shareWithGlobal, double bayesWeight, double hamWeight, double headerWeight) {

    public SpamModelSettings {
        if (!(learningRate > 0) || !(reinforceMargin >= 0) || !(bayesWeight >= 0) || !(hamWeight > 0)
            || !(headerWeight >= 0)) {
            throw new IllegalArgumentException("bad spam model settings: rate " + learningRate + ", margin "
                + reinforceMargin + ", Bayes weight " + bayesWeight + ", ham weight " + hamWeight
                + ", header weight " + headerWeight);
        }
    }

    public SpamModelSettings(double learningRate, double decisionOffset, double reinforceMargin,
                             boolean shareWithGlobal) {
        this(learningRate, decisionOffset, reinforceMargin, shareWithGlobal, 0, 1, 0);
    }

    public static SpamModelSettings defaults() {
        return new SpamModelSettings(16.0, 2.5, 4.0, true, 0.1, 2.0, 0.15);
    }

    public SpamModelSettings withBayesWeight(double weight) {
        return new SpamModelSettings(learningRate, decisionOffset, reinforceMargin, shareWithGlobal, weight,
            hamWeight, headerWeight);
    }

    public SpamModelSettings withLearningRate(double rate) {
        return new SpamModelSettings(rate, decisionOffset, reinforceMargin, shareWithGlobal, bayesWeight,
            hamWeight, headerWeight);
    }

    public SpamModelSettings withDecisionOffset(double offset) {
        return new SpamModelSettings(learningRate, offset, reinforceMargin, shareWithGlobal, bayesWeight,
            hamWeight, headerWeight);
    }

    public SpamModelSettings withReinforceMargin(double margin) {
        return new SpamModelSettings(learningRate, decisionOffset, margin, shareWithGlobal, bayesWeight,
            hamWeight, headerWeight);
    }

    public SpamModelSettings withHamWeight(double weight) {
        return new SpamModelSettings(learningRate, decisionOffset, reinforceMargin, shareWithGlobal, bayesWeight,
            weight, headerWeight);
    }

    public SpamModelSettings withHeaderWeight(double weight) {
        return new SpamModelSettings(learningRate, decisionOffset, reinforceMargin, shareWithGlobal, bayesWeight,
            hamWeight, weight);
    }
}
