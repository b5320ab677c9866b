package org.mailroom.dist;

import java.time.Duration;
import java.util.Set;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;

import org.mailroom.storage.user.AliasRepository;

/**
 * A user's own addresses (login and aliases) for the importance model, which asks for them on every sorted message:
 * remembered a minute per user (a server sharing the database sees another's alias change within it), and forgotten
 * at once by {@link #forgetAll} when an admin command run in this server may have changed them
 * ({@link ServerAdminBackend}, next to the SMTP listeners' remembered recipients).
 */
final class OwnAddresses implements Function<String, Set<String>> {

    static final Duration KEPT = Duration.ofMinutes(1);

    private final LoadingCache<String, Set<String>> remembered;

    OwnAddresses(AliasRepository aliases) {
        this.remembered = Caffeine.newBuilder().expireAfterWrite(KEPT).maximumSize(10_000)
            .build(aliases::addressesOf);
    }

    @Override
    public Set<String> apply(String user) {
        return remembered.get(user);
    }

    /** Drops every remembered answer: the next question for each user reads the directory again. */
    void forgetAll() {
        remembered.invalidateAll();
    }
}
