package org.mailroom.imap;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** For tests that show a command waiting on a writer's lock: whether an answer is still outstanding after a while. */
final class Waiting {
    private Waiting() {
    }

    /** True if {@code future} has not completed after {@code millis}; false if it completed (or failed) sooner. */
    static boolean stillWaitingAfter(CompletableFuture<?> future, long millis) throws Exception {
        try {
            future.get(millis, TimeUnit.MILLISECONDS);
            return false;
        } catch (TimeoutException stillWaiting) {
            return true;
        }
    }
}
