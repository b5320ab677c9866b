package org.mailroom.dist.control;

import java.util.List;

/**
 * One admin command line sent to the running server: the arguments as typed (starting with {@code admin}), the
 * standard input the command may read (a password line, or empty), and the caller's working directory.
 */
public record AdminRequest(List<String> args, String stdin, String workingDirectory) {
}
