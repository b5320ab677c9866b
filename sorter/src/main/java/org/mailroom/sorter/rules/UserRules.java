package org.mailroom.sorter.rules;

import java.util.List;

/** The rules that apply to one recipient, in the order they are checked (global rules first, then the user's). */
@FunctionalInterface
public interface UserRules {

    List<Rule> rulesFor(String user);

    static UserRules none() {
        return user -> List.of();
    }
}
