package org.mailroom.sorter.spam.signals;

import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailContent;

/**
 * One header or structure check for spam (a missing header, a forged-looking sender, a deceptive link...). A check
 * only states facts; what each fact weighs is learned by the spam classifier, which takes the facts as features,
 * so weights come from training data rather than from guesses. Implementations never throw.
 */
@FunctionalInterface
public interface StructureCheck {

    /** Reports every fact this check finds in the message to {@code sink}. */
    void check(MailContent content, SessionFacts session, FactSink sink);

    /** Receives facts: a stable key (becomes a feature name) and a human-readable reason. */
    @FunctionalInterface
    interface FactSink {
        void fact(String key, String reason);
    }
}
