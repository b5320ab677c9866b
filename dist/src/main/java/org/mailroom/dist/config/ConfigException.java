package org.mailroom.dist.config;

import java.util.List;

/** The configuration file cannot be used; each problem is one line of the form {@code file:line: key: problem}. */
public class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(List<String> problems, Throwable cause) {
        super(String.join(System.lineSeparator(), problems), cause);
        this.problems = List.copyOf(problems);
    }

    /** One formatted line per problem, in file order. */
    public List<String> problems() {
        return problems;
    }
}
