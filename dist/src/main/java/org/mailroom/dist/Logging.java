package org.mailroom.dist;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;

/**
 * Adjusts logging to the kind of command: the server logs at the levels of logback.xml, while one-shot admin
 * commands show only warnings, so that their output (and their one-line errors) stay readable.
 */
final class Logging {
    private Logging() {
    }

    /**
     * Runs {@code work} with only warnings logged, then restores the root level: for the start-up warm-up, whose
     * throwaway server would otherwise log its synthetic mail like real mail.
     */
    static <T> T quietWhile(java.util.concurrent.Callable<T> work) throws Exception {
        if (!(LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root)) {
            return work.call();
        }
        Level level = root.getLevel();
        root.setLevel(Level.WARN);
        try {
            return work.call();
        } finally {
            root.setLevel(level);
        }
    }

    static void quietForAdministration() {
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(Level.WARN);
        }
    }
}
