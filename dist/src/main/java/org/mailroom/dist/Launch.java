package org.mailroom.dist;

import java.io.Console;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the process was started with that commands may read: the install root, the environment, standard input
 * and the terminal (null when there is none). Passed in rather than read from {@code System} so that tests run
 * the real commands in-process.
 */
public record Launch(Path installRoot, Map<String, String> environment, InputStream stdin, Console console) {
}
