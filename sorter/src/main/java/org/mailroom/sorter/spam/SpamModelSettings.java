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
 */
public record SpamModelSettings(double learningRate, double decisionOffset, double reinforceMargin,
                                boolean shareWithGlobal) {

    public static SpamModelSettings defaults() {
        return new SpamModelSettings(16.0, 1.5, 4.0, true);
    }

    public SpamModelSettings withLearningRate(double rate) {
        return new SpamModelSettings(rate, decisionOffset, reinforceMargin, shareWithGlobal);
    }

    public SpamModelSettings withDecisionOffset(double offset) {
        return new SpamModelSettings(learningRate, offset, reinforceMargin, shareWithGlobal);
    }

    public SpamModelSettings withReinforceMargin(double margin) {
        return new SpamModelSettings(learningRate, decisionOffset, margin, shareWithGlobal);
    }
}
