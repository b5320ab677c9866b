package org.mailroom.sorter.rules;

import java.util.List;
import java.util.Objects;

import org.mailroom.sorter.IncomingMail;

/**
 * One user rule: {@code if CONDITION then ACTION, ACTION...}.
 *
 * @param condition what the message must match
 * @param actions   what happens when it does, in the order written
 * @param origin    where the rule was written, {@code file:line}, for messages and the trace header
 * @param text      the rule as written (one line), for {@code rules list}
 */
public record Rule(Condition condition, List<Action> actions, String origin, String text) {

    public Rule {
        Objects.requireNonNull(condition, "condition");
        actions = List.copyOf(actions);
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(text, "text");
    }

    public boolean matches(IncomingMail mail) {
        return condition.matches(mail);
    }

    /** Whether the rule fixes where the message goes when it matches. */
    public boolean decides() {
        return actions.stream().anyMatch(Action::decides);
    }

    public boolean stops() {
        return actions.stream().anyMatch(a -> a instanceof Action.Stop);
    }
}
