package org.mailroom.dist.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * Which configuration file a command reads: {@code --config FILE}, else {@code $MAILROOM_CONFIG}, else
 * {@code conf/mailroom.yaml} under the install root.
 */
public final class ConfigLocation {
    /** The environment variable that names the configuration file when {@code --config} is not given. */
    public static final String ENVIRONMENT_VARIABLE = "MAILROOM_CONFIG";

    private ConfigLocation() {
    }

    /** The file to read; {@code option} is the value of {@code --config}, or null. */
    public static Path choose(Path option, Map<String, String> environment, Path installRoot) {
        if (option != null) {
            return option;
        }
        String fromEnvironment = environment.get(ENVIRONMENT_VARIABLE);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Path.of(fromEnvironment);
        }
        return installRoot.resolve("conf").resolve("mailroom.yaml");
    }
}
