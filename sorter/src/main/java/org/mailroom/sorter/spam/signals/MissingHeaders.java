package org.mailroom.sorter.spam.signals;

import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailContent;

/** Headers every mail program writes (RFC 5322 requires Date and From; Message-ID is near universal). */
public final class MissingHeaders implements StructureCheck {

    @Override
    public void check(MailContent content, SessionFacts session, FactSink sink) {
        if (content.header("Date").isEmpty()) {
            sink.fact("missing-date", "no Date header");
        }
        if (content.header("Message-ID").isEmpty()) {
            sink.fact("missing-message-id", "no Message-ID header");
        }
        if (content.from().isEmpty()) {
            sink.fact("missing-from", "no usable From address");
        }
        if (content.header("To").isEmpty() && content.header("Cc").isEmpty()) {
            sink.fact("missing-to", "no To or Cc header (recipients hidden)");
        }
        if (content.subject().isBlank()) {
            sink.fact("missing-subject", "empty or missing Subject");
        }
    }
}
