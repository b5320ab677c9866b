package org.mailroom.sorter.spam.signals;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailContent;

/**
 * The SPF result of the envelope sender: from the SMTP session when the message is being delivered, otherwise from
 * the {@code Received-SPF:} header Mailroom's SMTP service writes (so learning from a stored message sees the same
 * fact that classification saw).
 */
public final class SpfResult implements StructureCheck {
    private static final Set<String> RESULTS = Set.of("pass", "fail", "softfail", "neutral", "none", "temperror",
        "permerror");

    @Override
    public void check(MailContent content, SessionFacts session, FactSink sink) {
        result(content, session).ifPresent(r -> sink.fact("spf-" + r, "SPF " + r));
    }

    static Optional<String> result(MailContent content, SessionFacts session) {
        if (session.spf().isPresent()) {
            return session.spf().map(s -> s.toLowerCase(Locale.ROOT)).filter(RESULTS::contains);
        }
        return content.header("Received-SPF").map(v -> {
            String s = v.strip();
            int space = s.indexOf(' ');
            return (space < 0 ? s : s.substring(0, space)).toLowerCase(Locale.ROOT);
        }).filter(RESULTS::contains);
    }
}
