package org.mailroom.dist;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.mailroom.dist.control.AdminEndpointFile;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mailroom stop}: asks the server running on the configured data directory to stop (SIGTERM, as an init
 * system would: it finishes what it is committing and closes the store) and waits until it has.
 */
@Command(name = "stop", mixinStandardHelpOptions = true,
    description = {"Stops the server running on the configured data directory and waits until it has stopped.",
        "Exit status 0 when it stopped (or was not running), 1 when it did not stop in time."})
final class StopCommand implements Callable<Integer> {
    private final ConfigSource configSource;

    @Spec
    private CommandSpec spec;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
        description = "How long to wait for the server to stop (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    StopCommand(ConfigSource configSource) {
        this.configSource = configSource;
    }

    @Override
    public Integer call() throws InterruptedException {
        var dataDirectory = configSource.load().storage().dataDirectory();
        Optional<ProcessHandle> server = AdminEndpointFile.ofRunningServer(dataDirectory)
            .flatMap(file -> ProcessHandle.of(file.pid()));
        if (server.isEmpty()) {
            spec.commandLine().getOut().println("Mailroom is not running on " + dataDirectory);
            return ExitCode.OK;
        }
        if (server.get().pid() == ProcessHandle.current().pid()) {
            throw new UsageException("stop cannot be sent to the server by itself; run it from a shell");
        }
        CompletableFuture<ProcessHandle> exited = server.get().onExit();
        server.get().destroy();
        try {
            exited.get(Duration.ofSeconds(timeoutSeconds).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillRunning) {
            spec.commandLine().getErr().println("Mailroom (pid " + server.get().pid() + ") did not stop within "
                + timeoutSeconds + " s");
            return ExitCode.REFUSED;
        } catch (ExecutionException unexpected) {
            throw new IllegalStateException(unexpected.getCause());
        }
        spec.commandLine().getOut().println("Mailroom (pid " + server.get().pid() + ") stopped.");
        return ExitCode.OK;
    }
}
