package org.mailroom.sorter;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.mailroom.sorter.message.MailContent;

/**
 * Everything the sorter may look at for one message and one local recipient.
 *
 * @param recipient  the local user the decision is for (a full address such as {@code alice@example.test})
 * @param mailFrom   the envelope sender, empty for the null sender {@code <>}
 * @param session    what SMTP observed
 * @param content    the parsed message
 * @param receivedAt when the message arrived
 */
public record IncomingMail(String recipient, Optional<String> mailFrom, SessionFacts session, MailContent content,
                           Instant receivedAt) {

    public IncomingMail {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(mailFrom, "mailFrom");
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }
}
