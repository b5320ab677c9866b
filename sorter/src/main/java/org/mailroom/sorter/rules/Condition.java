package org.mailroom.sorter.rules;

import java.util.List;

import org.mailroom.sorter.IncomingMail;

/** The "if" part of a rule: a test on one message, or an and/or/not of other conditions. */
public sealed interface Condition permits Condition.All, Condition.Any, Condition.Not, FieldTest, SizeTest {

    boolean matches(IncomingMail mail);

    /** True when every condition matches ({@code a and b}). */
    record All(List<Condition> conditions) implements Condition {
        public All {
            conditions = List.copyOf(conditions);
        }

        @Override
        public boolean matches(IncomingMail mail) {
            for (Condition condition : conditions) {
                if (!condition.matches(mail)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** True when at least one condition matches ({@code a or b}). */
    record Any(List<Condition> conditions) implements Condition {
        public Any {
            conditions = List.copyOf(conditions);
        }

        @Override
        public boolean matches(IncomingMail mail) {
            for (Condition condition : conditions) {
                if (condition.matches(mail)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The negation of a condition ({@code not a}). */
    record Not(Condition condition) implements Condition {
        @Override
        public boolean matches(IncomingMail mail) {
            return !condition.matches(mail);
        }
    }
}
