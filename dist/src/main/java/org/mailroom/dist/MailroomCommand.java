package org.mailroom.dist;

import java.nio.file.Path;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The top-level {@code mailroom} command: it only holds the options every subcommand shares. */
@Command(name = "mailroom", mixinStandardHelpOptions = true, versionProvider = MailroomCommand.Version.class,
    description = "A mail server that sorts incoming mail into Priority, Inbox and Spam.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:done",
        "1:the store refused the operation",
        "2:wrong command line",
        "3:the configuration file is missing or invalid",
        "4:the store cannot be opened"})
final class MailroomCommand {
    private final ConfigSource configSource;

    MailroomCommand(ConfigSource configSource) {
        this.configSource = configSource;
    }

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
        description = "Configuration file (default: $MAILROOM_CONFIG, else conf/mailroom.yaml in the install root).")
    void config(Path file) {
        configSource.setOption(file);
    }

    /** The version recorded in the jar's manifest by the build. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = MailroomCommand.class.getPackage().getImplementationVersion();
            return new String[] {"Mailroom " + (version == null ? "(development build)" : version)};
        }
    }
}
