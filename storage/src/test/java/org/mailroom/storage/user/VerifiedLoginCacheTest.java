package org.mailroom.storage.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class VerifiedLoginCacheTest {
    private final AtomicLong nanos = new AtomicLong();
    private final VerifiedLoginCache cache = new VerifiedLoginCache(Duration.ofMinutes(10), 2, nanos::get);

    @Test
    void matchesOnlyTheSameUserPasswordAndStoredHash() {
        cache.remember("alice@example.org", "alice-secret", "hash-1");

        assertThat(cache.verified("alice@example.org", "alice-secret", "hash-1")).isTrue();
        assertThat(cache.verified("alice@example.org", "alice-secreT", "hash-1")).isFalse();
        assertThat(cache.verified("alice@example.org", "alice-secret", "hash-2")).isFalse();
        assertThat(cache.verified("bob@example.org", "alice-secret", "hash-1")).isFalse();
        assertThat(cache.verified("alice@example.org", "", "hash-1")).isFalse();
    }

    @Test
    void anEntryLastsTheTimeToLiveOnly() {
        cache.remember("alice@example.org", "alice-secret", "hash-1");
        nanos.addAndGet(Duration.ofMinutes(9).toNanos());
        assertThat(cache.verified("alice@example.org", "alice-secret", "hash-1")).isTrue();

        nanos.addAndGet(Duration.ofMinutes(2).toNanos());
        assertThat(cache.verified("alice@example.org", "alice-secret", "hash-1")).isFalse();
    }

    @Test
    void forgetAndANewerLoginReplaceTheEntry() {
        cache.remember("alice@example.org", "alice-secret", "hash-1");
        cache.forget("alice@example.org");
        assertThat(cache.verified("alice@example.org", "alice-secret", "hash-1")).isFalse();

        cache.remember("alice@example.org", "old-secret", "hash-1");
        cache.remember("alice@example.org", "new-secret", "hash-2");
        assertThat(cache.verified("alice@example.org", "old-secret", "hash-1")).isFalse();
        assertThat(cache.verified("alice@example.org", "new-secret", "hash-2")).isTrue();
    }

    @Test
    void twoProcessesNeverShareAKey() {
        VerifiedLoginCache other = new VerifiedLoginCache();
        other.remember("alice@example.org", "alice-secret", "hash-1");
        cache.remember("alice@example.org", "alice-secret", "hash-1");
        // the same login in two caches: each answers for itself, and neither accepts another password
        assertThat(other.verified("alice@example.org", "alice-secret", "hash-1")).isTrue();
        assertThat(other.verified("alice@example.org", "alice-secre", "hash-1")).isFalse();
    }

    @Test
    void concurrentLoginsEachGetTheirOwnAnswer() throws Exception {
        // every MAC is computed on a clone of one keyed prototype: logins on several threads at once must neither
        // accept a wrong password nor reject a right one (a shared, updated Mac would mix their bytes)
        VerifiedLoginCache shared = new VerifiedLoginCache();
        int users = 8;
        for (int u = 0; u < users; u++) {
            shared.remember("user" + u + "@example.org", "secret-" + u, "hash-" + u);
        }
        ExecutorService threads = Executors.newFixedThreadPool(users);
        try {
            List<Future<Integer>> wrongAnswers = new ArrayList<>();
            for (int t = 0; t < users; t++) {
                int u = t;
                Callable<Integer> logins = () -> {
                    int wrong = 0;
                    for (int i = 0; i < 2_000; i++) {
                        boolean right = i % 2 == 0;
                        String password = right ? "secret-" + u : "secret-" + ((u + 1) % users);
                        if (shared.verified("user" + u + "@example.org", password, "hash-" + u) != right) {
                            wrong++;
                        }
                    }
                    return wrong;
                };
                wrongAnswers.add(threads.submit(logins));
            }
            for (Future<Integer> answer : wrongAnswers) {
                assertThat(answer.get()).isZero();
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
