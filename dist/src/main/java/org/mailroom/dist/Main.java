package org.mailroom.dist;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.mailroom.dist.admin.AdminBackend;
import org.mailroom.dist.admin.AdminCommands;
import org.mailroom.dist.config.MailroomConfig;
import org.mailroom.dist.control.AdminReply;
import org.mailroom.dist.control.AdminRequest;

import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** Entry point of the {@code mailroom} command: {@code start} runs the server, {@code admin} manages it. */
public final class Main {
    /** Set by the launcher to the directory holding {@code conf/}; the working directory otherwise. */
    static final String HOME_PROPERTY = "mailroom.home";

    private Main() {
    }

    public static void main(String[] args) {
        Path installRoot = Path.of(System.getProperty(HOME_PROPERTY, ".")).toAbsolutePath().normalize();
        Launch launch = new Launch(installRoot, System.getenv(), System.in, System.console());
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = commandLine(launch, out, err).execute(args);
        // Auto-flush covers println only: what a command wrote with print (explain's breakdown, rules test) would be
        // lost at exit without this.
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * The whole command tree, writing to the given streams; tests run it in-process through {@code execute}.
     * Admin commands go to the running server when there is one, else they open the store themselves.
     */
    public static CommandLine commandLine(Launch launch, PrintWriter out, PrintWriter err) {
        return commandLine(launch, out, err, null);
    }

    /**
     * Runs an admin command line forwarded by {@link AdminForwarding} inside the running server, on its parts, with
     * the caller's standard input and working directory; the same command tree as on the command line.
     */
    static AdminReply runInServer(AdminBackend server, AdminRequest request) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Launch launch = new Launch(Path.of("."), Map.of(),
            new ByteArrayInputStream(String.valueOf(request.stdin()).getBytes(StandardCharsets.UTF_8)), null,
            Path.of(request.workingDirectory() == null ? "." : request.workingDirectory()).toAbsolutePath());
        int code = commandLine(launch, new PrintWriter(out, true), new PrintWriter(err, true), server)
            .execute(request.args().toArray(String[]::new));
        return new AdminReply(code, out.toString(), err.toString());
    }

    /** {@code server} is null on the command line, and the running server's parts for a forwarded command. */
    private static CommandLine commandLine(Launch launch, PrintWriter out, PrintWriter err, AdminBackend server) {
        ConfigSource configSource = new ConfigSource(launch);
        Supplier<AdminBackend> backend = server != null ? () -> server
            : () -> {
                MailroomConfig config = configSource.load();
                return new DirectAdminBackend(config,
                    () -> new Mailroom(config, configSource.file(), out).openSortingTools(),
                    () -> new Mailroom(config, configSource.file(), out).openQueue(),
                    (database, opened) -> new Mailroom(config, configSource.file(), out).importSorting(database, opened));
            };

        CommandLine cli = new CommandLine(new MailroomCommand(configSource))
            .addSubcommand(new StartCommand(configSource, launch.environment()))
            .addSubcommand(new StopCommand(configSource))
            .addSubcommand(new StatusCommand(configSource))
            .addSubcommand(AdminCommands.tree(backend, launch.stdin(), launch.console(), launch.workingDirectory()));
        OneLineErrors errors = new OneLineErrors();
        cli.setOut(out)
            .setErr(err)
            .setParameterExceptionHandler(errors)
            .setExecutionExceptionHandler(errors)
            .setExecutionStrategy(parseResult -> {
                boolean admin = parseResult.hasSubcommand()
                    && "admin".equals(parseResult.subcommand().commandSpec().name());
                if (server != null) {
                    if (!admin) {
                        err.println("only admin commands can be sent to the running server");
                        return ExitCode.USAGE;
                    }
                    return new CommandLine.RunLast().execute(parseResult);
                }
                if (admin) {
                    Logging.quietForAdministration();
                    if (!helpRequested(parseResult)) {
                        try {
                            Optional<Integer> forwarded = AdminForwarding.forwardIfRunning(configSource, launch,
                                parseResult, out, err);
                            if (forwarded.isPresent()) {
                                return forwarded.get();
                            }
                        } catch (RuntimeException e) {
                            // picocli hands the cause to OneLineErrors, as for a failure inside a command.
                            throw new CommandLine.ExecutionException(cli, String.valueOf(e.getMessage()), e);
                        }
                    }
                }
                return new CommandLine.RunLast().execute(parseResult);
            });
        return cli;
    }

    private static boolean helpRequested(ParseResult parseResult) {
        for (ParseResult part = parseResult; part != null; part = part.hasSubcommand() ? part.subcommand() : null) {
            if (part.isUsageHelpRequested() || part.isVersionHelpRequested() || !part.hasSubcommand()
                && part.commandSpec().subcommands().size() > 0) {
                // A group without its subcommand (e.g. "admin quota") only prints usage: nothing to forward.
                return true;
            }
        }
        return false;
    }
}
