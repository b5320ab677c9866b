package org.mailroom.dist;

import java.util.Optional;
import java.util.concurrent.Callable;

import org.mailroom.dist.control.AdminEndpointFile;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mailroom status}: whether a server runs on the configured data directory (exit 0) or not (exit 1). */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Tells whether the server runs on the configured data directory.",
        "Exit status 0 when it runs (its process id is printed), 1 when it does not."})
final class StatusCommand implements Callable<Integer> {
    private final ConfigSource configSource;

    @Spec
    private CommandSpec spec;

    StatusCommand(ConfigSource configSource) {
        this.configSource = configSource;
    }

    @Override
    public Integer call() {
        var dataDirectory = configSource.load().storage().dataDirectory();
        Optional<AdminEndpointFile> running = AdminEndpointFile.ofRunningServer(dataDirectory);
        if (running.isPresent()) {
            spec.commandLine().getOut().println("Mailroom is running (pid " + running.get().pid() + ") on "
                + dataDirectory);
            return ExitCode.OK;
        }
        spec.commandLine().getOut().println("Mailroom is not running on " + dataDirectory);
        return ExitCode.REFUSED;
    }
}
