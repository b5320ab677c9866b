package org.mailroom.sorter.importance;

import java.time.Instant;
import java.util.Objects;

/**
 * A received message whose label is not known yet: it becomes "important" when a reply to it is sent, "normal"
 * when {@link ImportanceModel.Settings#labelAfter} passes without one. Keeps the features the model saw at
 * arrival, so it learns from exactly what it predicted on.
 *
 * @param messageKey the Message-ID (or a digest when there is none)
 * @param sender     the sender address, lower-cased
 * @param subjectKey the normalised subject ({@link ThreadKeys#subject})
 * @param receivedAt arrival time
 * @param features   the feature vector at arrival
 */
public record PendingMessage(String messageKey, String sender, String subjectKey, Instant receivedAt,
                             FeatureVector features) {

    public PendingMessage {
        Objects.requireNonNull(messageKey, "messageKey");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(subjectKey, "subjectKey");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(features, "features");
    }
}
