package org.mailroom.dist.admin;

import picocli.CommandLine.Command;

/** {@code mailroom admin}: groups the commands that manage domains, users, aliases, quotas, mail and DKIM keys. */
@Command(name = "admin", mixinStandardHelpOptions = true,
    description = {"Manages domains, users, aliases, quotas, mailboxes, DKIM keys and sorting rules; explains sorting decisions;"
        + " trains the spam classifier.",
        "While the server runs, commands are sent to it over its loopback admin endpoint (the token is in the data"
            + " directory, readable by the server's user only); when it is stopped they open the store directly."})
final class AdminCommand {
}
