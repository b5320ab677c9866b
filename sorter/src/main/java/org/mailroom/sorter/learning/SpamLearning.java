package org.mailroom.sorter.learning;

import org.mailroom.sorter.message.MailContent;

/**
 * Where spam verdicts from users go: {@code SpamFilter::learn} of the spam package. Idempotent per
 * {@code messageKey} (the Message-ID header, else the store's id): a correction retrains, a repeat does nothing.
 */
@FunctionalInterface
public interface SpamLearning {

    void learn(String user, String messageKey, MailContent content, boolean spam);
}
