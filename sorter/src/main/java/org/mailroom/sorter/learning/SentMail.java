package org.mailroom.sorter.learning;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import org.mailroom.sorter.message.MailContent;

/**
 * A message a local user sent through submission: what the importance model learns "who the user writes to" and
 * "which received message the user answered" from.
 *
 * @param user               the sending local user (the same key the sorter uses as {@code IncomingMail.recipient})
 * @param content            the parsed message as submitted
 * @param envelopeRecipients the RCPT TO addresses (Bcc included), lower- or mixed-case
 * @param sentAt             when submission accepted it
 */
public record SentMail(String user, MailContent content, List<String> envelopeRecipients, Instant sentAt) {

    public SentMail {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(content, "content");
        envelopeRecipients = List.copyOf(envelopeRecipients);
        Objects.requireNonNull(sentAt, "sentAt");
    }
}
