package org.mailroom.dist;

import java.nio.file.Path;

import org.mailroom.dist.config.ConfigLoader;
import org.mailroom.dist.config.ConfigLocation;
import org.mailroom.dist.config.MailroomConfig;

/**
 * The configuration file a command was asked to use ({@code --config} fills it in while the command line is
 * parsed), loaded only when a command runs so that {@code --help} works with a broken file.
 */
public final class ConfigSource {
    private final Launch launch;
    private Path option;

    public ConfigSource(Launch launch) {
        this.launch = launch;
    }

    void setOption(Path option) {
        this.option = option;
    }

    /** The file this command reads. */
    public Path file() {
        return ConfigLocation.choose(option, launch.environment(), launch.installRoot());
    }

    /** Reads and validates the file; throws {@link org.mailroom.dist.config.ConfigException} if it is unusable. */
    public MailroomConfig load() {
        return new ConfigLoader().load(file());
    }
}
