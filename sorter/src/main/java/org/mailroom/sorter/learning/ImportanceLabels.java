package org.mailroom.sorter.learning;

import java.time.Instant;

import org.mailroom.sorter.message.MailContent;

/** Where importance labels from users go: {@code ImportanceModel::learnLabel} of the importance package. */
@FunctionalInterface
public interface ImportanceLabels {

    void learnLabel(String user, MailContent content, Instant receivedAt, boolean important, Instant labelledAt);
}
