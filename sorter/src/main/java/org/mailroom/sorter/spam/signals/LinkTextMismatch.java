package org.mailroom.sorter.spam.signals;

import java.util.Optional;

import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.Link;
import org.mailroom.sorter.message.MailContent;

/**
 * A link whose visible text shows one web address while its target is on another site: the classic phishing
 * disguise. Hosts are compared by organisational domain, so {@code www.bank.com} shown for
 * {@code https://login.bank.com/...} is fine.
 */
public final class LinkTextMismatch implements StructureCheck {

    @Override
    public void check(MailContent content, SessionFacts session, FactSink sink) {
        for (Link link : content.links()) {
            Optional<String> shown = Domains.hostOfUrl(link.text());
            if (shown.isEmpty()) {
                continue; // most link texts are words: the target's host is not needed then
            }
            Optional<String> target = Domains.hostOfUrl(link.href());
            if (target.isPresent()
                && !Domains.organisational(shown.get()).equals(Domains.organisational(target.get()))) {
                sink.fact("link-text-mismatch", "link shows " + shown.get() + " but goes to " + target.get());
                return;
            }
        }
    }
}
