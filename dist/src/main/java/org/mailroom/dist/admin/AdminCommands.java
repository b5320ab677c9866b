package org.mailroom.dist.admin;

import java.io.Console;
import java.io.InputStream;
import java.util.function.Supplier;

import picocli.CommandLine;

/** Builds the {@code admin} command tree over a way to open the user directory. */
public final class AdminCommands {
    private AdminCommands() {
    }

    /**
     * {@code admin domain|user|alias|rules|explain|spam|queue}, each opening what it needs (the store, the sorting
     * tools, the queue) only for the length of one command.
     */
    public static CommandLine tree(Supplier<UserDirectory> directory, Supplier<SortingTools> sorting,
                                   Supplier<QueueDirectory> queue,
                                   InputStream stdin, Console console) {
        return new CommandLine(new AdminCommand())
            .addSubcommand(new DomainCommand(directory))
            .addSubcommand(new UserCommand(directory, new PasswordInput(stdin, console)))
            .addSubcommand(new AliasCommand(directory))
            .addSubcommand(new RulesCommand(sorting))
            .addSubcommand(new ExplainCommand(sorting))
            .addSubcommand(new SpamCommand(directory))
            .addSubcommand(new QueueCommand(queue));
    }
}
