package org.mailroom.dist;

/** The command cannot run as invoked (exit code 2), for reasons found only once it runs, such as a missing terminal. */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
