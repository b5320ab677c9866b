package org.mailroom.sorter.spam;

import java.util.Optional;

/**
 * Where the spam classifier keeps what it learned: per scope (a user's address, or {@link #GLOBAL} for the model
 * every user starts from) a weight and spam/ham message counts per hashed token, message totals, and one training
 * record per trained message so a correction can undo the earlier training exactly. Implementations: in memory
 * ({@link InMemoryTokenStore}) and JDBC (storage's {@code JdbcTokenStore}). Thread-safe.
 */
public interface TokenStore {
    /** The scope of the model shared by all users. */
    String GLOBAL = "";

    /** The weights and counts of {@code tokens} in {@code scope}, aligned with the array; unknown tokens are 0. */
    TokenStats read(String scope, long[] tokens);

    /** How many spam and ham messages are trained into {@code scope}. */
    Totals totals(String scope);

    /** The record of how a message was trained into a scope, if it was. */
    Optional<TrainingRecord> record(String scope, String messageKey);

    /**
     * Applies one training step atomically: adds {@code change.weightDelta()} to the weight of each token (and the
     * bias), the count deltas to each token and to the totals, then stores {@code change.record()} for the message
     * (or deletes the message's record when it is empty).
     */
    void apply(String scope, String messageKey, TrainingChange change);

    /** Token weights and counts, aligned with the tokens asked for. */
    record TokenStats(double[] weights, int[] spam, int[] ham) {
    }

    /** Message totals of one scope, and its bias weight (the learned prior). */
    record Totals(int spamMessages, int hamMessages, double bias) {
        public static final Totals EMPTY = new Totals(0, 0, 0);

        public int messages() {
            return spamMessages + hamMessages;
        }
    }

    /**
     * What training one message did to one scope.
     *
     * @param spam        the label it was trained with
     * @param tokens      its distinct token hashes
     * @param weightDelta the sum of every weight change applied to each of its tokens (and to the bias)
     */
    record TrainingRecord(boolean spam, long[] tokens, double weightDelta) {
        /** The step that takes this training back exactly (a correction's first step, or a forget). */
        public TrainingChange undo() {
            return new TrainingChange(tokens, -weightDelta, spam ? -1 : 0, spam ? 0 : -1, Optional.empty());
        }
    }

    /**
     * One step: add {@code weightDelta} to the weight of every token and to the bias; add {@code spamDelta} and
     * {@code hamDelta} to each token's counts and to the totals; then keep {@code record} (empty = forget).
     */
    record TrainingChange(long[] tokens, double weightDelta, int spamDelta, int hamDelta,
                          Optional<TrainingRecord> record) {
    }
}
