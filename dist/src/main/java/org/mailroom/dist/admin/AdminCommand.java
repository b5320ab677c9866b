package org.mailroom.dist.admin;

import picocli.CommandLine.Command;

/** {@code mailroom admin}: groups the commands that administer the server. */
@Command(name = "admin", mixinStandardHelpOptions = true,
    description = {"Manages domains, users, aliases, sorting rules and the outbound queue; explains sorting decisions;",
        "trains the spam classifier.",
        "Opens the same store as the server; an embedded Derby store can be used by one process at a time."})
final class AdminCommand {
}
