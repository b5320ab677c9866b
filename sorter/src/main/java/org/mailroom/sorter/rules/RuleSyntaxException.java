package org.mailroom.sorter.rules;

import java.util.List;

/** A rules file (or one rule) that cannot be used; every problem reads {@code file:line: problem}. */
public final class RuleSyntaxException extends Exception {

    private final List<String> problems;

    public RuleSyntaxException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
