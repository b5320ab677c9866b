package org.mailroom.imap;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing: failed logins are counted per client IP and per user name, and once a key has
 * more than its allowance of failures, every further LOGIN/AUTHENTICATE for it waits before it is checked.
 *
 * <ul>
 *   <li><b>N</b>: {@link Policy#freeFailuresPerUser()} (default 3) failures for one user name, and
 *       {@link Policy#freeFailuresPerIp()} (default 10, higher because many users can share an address behind NAT)
 *       failures from one address, cost nothing.</li>
 *   <li><b>Growth</b>: the (N+1)th attempt waits {@link Policy#initialDelay()} (default 1 s); every further failure
 *       doubles the wait.</li>
 *   <li><b>Cap</b>: the wait never exceeds {@link Policy#maxDelay()} (default 30 s).</li>
 *   <li><b>Window</b>: a key's count is forgotten {@link Policy#window()} (default 15 min) after its last failure.
 *       A successful login clears the user's count (not the address's, so one valid account cannot be used to
 *       reset a guessing address).</li>
 * </ul>
 * When both the address and the user are over their allowance the longer wait applies. The wait is applied
 * without holding a thread (the IMAP processors delay the command reactively). Memory is bounded: past
 * {@link #MAX_TRACKED_KEYS} keys, expired entries are dropped, and if still full the table is cleared.
 */
public final class LoginThrottle {

    /** See the class documentation for what each value means. */
    public record Policy(int freeFailuresPerUser, int freeFailuresPerIp, Duration initialDelay, Duration maxDelay,
                         Duration window) {
        public Policy {
            if (freeFailuresPerUser < 0 || freeFailuresPerIp < 0) {
                throw new IllegalArgumentException("free failures must be >= 0");
            }
            Objects.requireNonNull(initialDelay, "initialDelay");
            Objects.requireNonNull(maxDelay, "maxDelay");
            Objects.requireNonNull(window, "window");
            if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0 || window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("need 0 <= initialDelay <= maxDelay and a positive window");
            }
        }

        public static Policy defaults() {
            return new Policy(3, 10, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(15));
        }

        /** No throttling at all. */
        public static Policy disabled() {
            return new Policy(Integer.MAX_VALUE, Integer.MAX_VALUE, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1));
        }

        Duration delayAfter(int failures, int free) {
            if (failures < free || free == Integer.MAX_VALUE) {
                return Duration.ZERO;
            }
            int doublings = Math.min(failures - free, 30);
            Duration delay = initialDelay.multipliedBy(1L << doublings);
            return delay.compareTo(maxDelay) > 0 || delay.isNegative() ? maxDelay : delay;
        }
    }

    static final int MAX_TRACKED_KEYS = 100_000;

    private record Failures(int count, Instant last) {
    }

    private final Policy policy;
    private final Clock clock;
    private final Map<String, Failures> byIp = new ConcurrentHashMap<>();
    private final Map<String, Failures> byUser = new ConcurrentHashMap<>();

    public LoginThrottle(Policy policy, Clock clock) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Policy policy() {
        return policy;
    }

    /** How long an attempt from {@code ip} for {@code user} (null when not known yet) must wait before it is checked. */
    public Duration delayFor(String ip, String user) {
        Duration ipDelay = policy.delayAfter(count(byIp, ip), policy.freeFailuresPerIp());
        Duration userDelay = user == null ? Duration.ZERO
            : policy.delayAfter(count(byUser, normalize(user)), policy.freeFailuresPerUser());
        return ipDelay.compareTo(userDelay) >= 0 ? ipDelay : userDelay;
    }

    public void failed(String ip, String user) {
        record(byIp, ip);
        if (user != null) {
            record(byUser, normalize(user));
        }
    }

    public void succeeded(String ip, String user) {
        if (user != null) {
            byUser.remove(normalize(user));
        }
    }

    private int count(Map<String, Failures> table, String key) {
        if (key == null) {
            return 0;
        }
        Failures failures = table.get(key);
        if (failures == null) {
            return 0;
        }
        if (expired(failures, clock.instant())) {
            table.remove(key, failures);
            return 0;
        }
        return failures.count();
    }

    private void record(Map<String, Failures> table, String key) {
        if (key == null) {
            return;
        }
        Instant now = clock.instant();
        if (table.size() >= MAX_TRACKED_KEYS) {
            table.values().removeIf(failures -> expired(failures, now));
            if (table.size() >= MAX_TRACKED_KEYS) {
                table.clear();
            }
        }
        table.compute(key, (k, old) -> old == null || expired(old, now)
            ? new Failures(1, now) : new Failures(old.count() + 1, now));
    }

    private boolean expired(Failures failures, Instant now) {
        return failures.last().plus(policy.window()).isBefore(now);
    }

    private static String normalize(String user) {
        return user.toLowerCase(Locale.ROOT);
    }
}
