package org.mailroom.dist;

import java.util.Map;
import java.util.concurrent.Callable;

import org.mailroom.dist.config.MailroomConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mailroom start}: runs the server in the foreground. */
@Command(name = "start", mixinStandardHelpOptions = true,
    description = {"Runs the server in the foreground.",
        "Opens the store (creating or migrating it), starts SMTP, IMAP, HTTP and the admin endpoint, and runs until"
            + " SIGTERM or Ctrl-C."})
final class StartCommand implements Callable<Integer> {
    private final ConfigSource configSource;
    private final Map<String, String> environment;

    @Spec
    private CommandSpec spec;

    StartCommand(ConfigSource configSource, Map<String, String> environment) {
        this.configSource = configSource;
        this.environment = environment;
    }

    @Override
    public Integer call() {
        MailroomConfig config = configSource.load();
        // Before anything of the real server opens: its first clients then meet compiled code (server.warm-up).
        if (StartUpWarmUp.wanted(config.server().warmUp(), environment)) {
            StartUpWarmUp.run(config.server().warmUp(), config);
        }
        Mailroom mailroom = new Mailroom(config, configSource.file(), spec.commandLine().getOut());
        // The launcher may ask for a class data archive of this run, for the next start (bin/class-data-sharing.sh).
        return mailroom.start(out -> ClassDataArchive.requested(environment).ifPresent(archive -> archive.write(out)));
    }
}
