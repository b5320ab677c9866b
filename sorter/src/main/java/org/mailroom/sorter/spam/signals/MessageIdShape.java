package org.mailroom.sorter.spam.signals;

import java.util.List;
import java.util.Optional;

import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailAddress;
import org.mailroom.sorter.message.MailContent;

/** Message-IDs that a real mail program would not write: no angle brackets, no {@code @}, a foreign domain. */
public final class MessageIdShape implements StructureCheck {

    @Override
    public void check(MailContent content, SessionFacts session, FactSink sink) {
        Optional<String> header = content.header("Message-ID");
        if (header.isEmpty()) {
            return;
        }
        String id = header.get().strip();
        if (!id.startsWith("<") || !id.endsWith(">")) {
            sink.fact("message-id-no-brackets", "Message-ID is not in angle brackets");
        }
        int at = id.lastIndexOf('@');
        if (at < 0) {
            sink.fact("message-id-no-at", "Message-ID has no @domain part");
            return;
        }
        String domain = id.substring(at + 1).replace(">", "").strip();
        if (!domain.contains(".")) {
            sink.fact("message-id-bare-domain", "Message-ID domain '" + domain + "' is not a full domain name");
            return;
        }
        List<MailAddress> from = content.from();
        if (!from.isEmpty() && !from.get(0).domain().isEmpty()
            && !Domains.organisational(domain).equals(Domains.organisational(from.get(0).domain()))) {
            sink.fact("message-id-foreign-domain", "Message-ID domain " + Domains.organisational(domain)
                + " differs from From domain " + Domains.organisational(from.get(0).domain()));
        }
    }
}
