package org.mailroom.dist.admin;

import java.io.Console;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.function.Supplier;

import picocli.CommandLine;

/** Builds the {@code admin} command tree over the part it acts on. */
public final class AdminCommands {
    private AdminCommands() {
    }

    /**
     * {@code admin domain|user|alias|quota|import|export|dkim|rules|explain|spam|queue}. {@code backend} is asked for only when a command
     * runs, so that {@code --help} works without a configuration; {@code workingDirectory} is where relative file
     * arguments are resolved (the caller's, also when the command runs inside the server).
     */
    public static CommandLine tree(Supplier<AdminBackend> backend, InputStream stdin, Console console,
                                   Path workingDirectory) {
        Supplier<UserDirectory> directory = () -> backend.get().openDirectory();
        Supplier<MailStore> mail = () -> backend.get().openMailStore();
        Supplier<SortingTools> sorting = () -> backend.get().openSortingTools();
        return new CommandLine(new AdminCommand())
            .addSubcommand(new DomainCommand(directory))
            .addSubcommand(new UserCommand(directory, new PasswordInput(stdin, console)))
            .addSubcommand(new AliasCommand(directory))
            .addSubcommand(new QuotaCommand(mail))
            .addSubcommand(new ImportCommand(mail, workingDirectory, console != null))
            .addSubcommand(new ExportCommand(mail, workingDirectory))
            .addSubcommand(new DkimCommand(() -> backend.get().dkimKeys(), directory))
            .addSubcommand(new RulesCommand(sorting))
            .addSubcommand(new ExplainCommand(sorting))
            .addSubcommand(new SpamCommand(directory))
            .addSubcommand(new QueueCommand(() -> backend.get().openQueue()));
    }
}
