package org.mailroom.dist;

import java.io.Console;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the process was started with that commands may read: the install root, the environment, standard input,
 * the terminal (null when there is none) and the working directory (relative file arguments). Passed in rather
 * than read from {@code System} so that tests run the real commands in-process, and so that a command forwarded
 * to the running server still sees the caller's.
 */
public record Launch(Path installRoot, Map<String, String> environment, InputStream stdin, Console console,
                     Path workingDirectory) {

    public Launch(Path installRoot, Map<String, String> environment, InputStream stdin, Console console) {
        this(installRoot, environment, stdin, console, Path.of("").toAbsolutePath());
    }
}
