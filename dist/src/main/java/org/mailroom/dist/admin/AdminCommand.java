package org.mailroom.dist.admin;

import picocli.CommandLine.Command;

/** {@code mailroom admin}: groups the commands that manage domains, users, aliases and the outbound queue. */
@Command(name = "admin", mixinStandardHelpOptions = true,
    description = {"Manages domains, users, aliases and the outbound queue.",
        "Opens the same store as the server; an embedded Derby store can be used by one process at a time."})
final class AdminCommand {
}
