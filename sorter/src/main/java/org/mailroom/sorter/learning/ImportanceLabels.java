package org.mailroom.sorter.learning;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import org.mailroom.sorter.message.MailContent;

/**
 * Where importance labels from users go: {@code ImportanceModel::learnLabels} of the importance package. Called with
 * every label the learner has gathered at the time, in the order the users gave them, so that the model can write
 * its weights once for all of them.
 */
@FunctionalInterface
public interface ImportanceLabels {

    void learnLabels(List<Label> labels);

    /**
     * One explicit label: {@code user} said the message ({@code content}, received at {@code receivedAt}) is
     * important or not, at {@code labelledAt}.
     */
    record Label(String user, MailContent content, Instant receivedAt, boolean important, Instant labelledAt) {

        public Label {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(content, "content");
            Objects.requireNonNull(receivedAt, "receivedAt");
            Objects.requireNonNull(labelledAt, "labelledAt");
        }
    }
}
