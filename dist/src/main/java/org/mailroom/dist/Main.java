package org.mailroom.dist;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Supplier;

import org.mailroom.dist.admin.AdminCommands;
import org.mailroom.dist.admin.QueueDirectory;
import org.mailroom.dist.admin.UserDirectory;

import picocli.CommandLine;

/** Entry point of the {@code mailroom} command: {@code start} runs the server, {@code admin} manages it. */
public final class Main {
    /** Set by the launcher to the directory holding {@code conf/}; the working directory otherwise. */
    static final String HOME_PROPERTY = "mailroom.home";

    private Main() {
    }

    public static void main(String[] args) {
        Path installRoot = Path.of(System.getProperty(HOME_PROPERTY, ".")).toAbsolutePath().normalize();
        Launch launch = new Launch(installRoot, System.getenv(), System.in, System.console());
        int code = commandLine(launch, new PrintWriter(System.out, true), new PrintWriter(System.err, true))
            .execute(args);
        System.exit(code);
    }

    /** The whole command tree, writing to the given streams; tests run it in-process through {@code execute}. */
    public static CommandLine commandLine(Launch launch, PrintWriter out, PrintWriter err) {
        ConfigSource configSource = new ConfigSource(launch);
        Supplier<UserDirectory> directory = () -> new Mailroom(configSource.load(), configSource.file(), out)
            .openUserDirectory();
        Supplier<QueueDirectory> queue = () -> new Mailroom(configSource.load(), configSource.file(), out).openQueue();

        CommandLine cli = new CommandLine(new MailroomCommand(configSource))
            .addSubcommand(new StartCommand(configSource))
            .addSubcommand(AdminCommands.tree(directory, () -> new Mailroom(configSource.load(), configSource.file(),
                out).openSortingTools(), queue, launch.stdin(), launch.console()));
        OneLineErrors errors = new OneLineErrors();
        cli.setOut(out)
            .setErr(err)
            .setParameterExceptionHandler(errors)
            .setExecutionExceptionHandler(errors)
            .setExecutionStrategy(parseResult -> {
                if (parseResult.hasSubcommand() && "admin".equals(parseResult.subcommand().commandSpec().name())) {
                    Logging.quietForAdministration();
                }
                return new CommandLine.RunLast().execute(parseResult);
            });
        return cli;
    }
}
