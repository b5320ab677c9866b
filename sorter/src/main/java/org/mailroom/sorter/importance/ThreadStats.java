package org.mailroom.sorter.importance;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One user's part in one conversation, keyed by {@link ThreadKeys} (normalised subject, or a Message-ID the user
 * sent).
 *
 * @param key            the thread key
 * @param sent           messages the user sent in it
 * @param received       messages the user received in it
 * @param startedByUser  whether the first message of the thread the model saw was one the user sent (not a reply)
 * @param lastActivity   the last message sent or received in it
 */
public record ThreadStats(String key, int sent, int received, boolean startedByUser, Optional<Instant> lastActivity) {

    public ThreadStats {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(lastActivity, "lastActivity");
    }

    /** A thread never seen. */
    public static ThreadStats unknown(String key) {
        return new ThreadStats(key, 0, 0, false, Optional.empty());
    }

    boolean isNew() {
        return sent == 0 && received == 0;
    }

    ThreadStats withSent(Instant at, boolean userStartsIt) {
        return new ThreadStats(key, sent + 1, received, startedByUser || (isNew() && userStartsIt), Optional.of(at));
    }

    ThreadStats withReceived(Instant at) {
        return new ThreadStats(key, sent, received + 1, startedByUser, Optional.of(at));
    }
}
