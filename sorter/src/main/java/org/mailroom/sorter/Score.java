package org.mailroom.sorter;

import java.util.Objects;

/**
 * One signal's contribution to a decision.
 *
 * @param signal    a short stable name of the signal (e.g. {@code spf}, {@code bayes}, {@code replied-sender})
 * @param dimension what the score is evidence for
 * @param value     the contribution in log-odds units (natural log): positive is evidence for spam (or importance),
 *                  negative against; scores of one dimension add up
 * @param reason    a short human-readable explanation, e.g. {@code "SPF fail for example.com"}
 */
public record Score(String signal, Dimension dimension, double value, String reason) {

    public Score {
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(dimension, "dimension");
        Objects.requireNonNull(reason, "reason");
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("score of " + signal + " is not finite: " + value);
        }
    }
}
