package org.mailroom.sorter.spam.signals;

import java.util.List;
import java.util.Optional;

import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailAddress;
import org.mailroom.sorter.message.MailContent;

/**
 * Signs of a forged or borrowed sender: the From domain differs from the bounce address (Return-Path), from the
 * Reply-To, or from the name the client gave in HELO. Mailing lists and newsletters do this legitimately too, which
 * is why these are facts for the classifier to weigh rather than verdicts.
 */
public final class SenderMismatch implements StructureCheck {

    @Override
    public void check(MailContent content, SessionFacts session, FactSink sink) {
        List<MailAddress> from = content.from();
        if (from.isEmpty() || from.get(0).domain().isEmpty()) {
            return;
        }
        String fromOrg = Domains.organisational(from.get(0).domain());
        Optional<String> returnPath = content.header("Return-Path").flatMap(Domains::ofAddress);
        if (returnPath.isPresent() && !Domains.organisational(returnPath.get()).equals(fromOrg)) {
            sink.fact("from-returnpath-mismatch", "From domain " + fromOrg + " differs from Return-Path domain "
                + Domains.organisational(returnPath.get()));
        }
        List<MailAddress> replyTo = content.replyTo();
        if (!replyTo.isEmpty() && !replyTo.get(0).domain().isEmpty()
            && !Domains.organisational(replyTo.get(0).domain()).equals(fromOrg)) {
            sink.fact("from-replyto-mismatch", "Reply-To domain " + Domains.organisational(replyTo.get(0).domain())
                + " differs from From domain " + fromOrg);
        }
        Optional<String> helo = session.helo().filter(h -> h.contains(".") && !h.startsWith("["));
        if (helo.isPresent() && !Domains.organisational(helo.get()).equals(fromOrg)) {
            sink.fact("from-helo-mismatch", "HELO " + helo.get() + " is not in From domain " + fromOrg);
        }
        String display = from.get(0).displayName();
        int at = display.indexOf('@');
        if (at > 0) {
            Domains.ofAddress(display).map(Domains::organisational).filter(d -> !d.equals(fromOrg))
                .ifPresent(d -> sink.fact("from-name-other-address",
                    "From display name shows an address at " + d + " but the mail is from " + fromOrg));
        }
    }
}
