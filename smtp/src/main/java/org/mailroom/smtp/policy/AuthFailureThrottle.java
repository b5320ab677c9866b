package org.mailroom.smtp.policy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether a client may try a password now: after too many failed AUTH attempts from one IP address, or
 * against one user name, within a window, further attempts are refused until the window ends — even with the right
 * password, so guessing cannot be confirmed. Shared by all listeners; state is in memory (a restart forgets it).
 */
public final class AuthFailureThrottle {

    /** Beyond this many tracked keys the table is cleared rather than grown without bound under a wide attack. */
    private static final int MAX_TRACKED = 100_000;

    private record Window(Instant start, int failures) {
    }

    private final int maxPerIp;
    private final int maxPerUser;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Window> failures = new ConcurrentHashMap<>();

    public AuthFailureThrottle(int maxPerIp, int maxPerUser, Duration window, Clock clock) {
        this.maxPerIp = maxPerIp;
        this.maxPerUser = maxPerUser;
        this.window = window;
        this.clock = clock;
    }

    public static AuthFailureThrottle defaults(Clock clock) {
        return new AuthFailureThrottle(10, 5, Duration.ofMinutes(15), clock);
    }

    /** Whether an attempt from {@code ip} for {@code user} may be checked at all. */
    public boolean allows(String ip, String user) {
        return current("ip:" + ip) < maxPerIp && current("user:" + user.toLowerCase(Locale.ROOT)) < maxPerUser;
    }

    /** Records a failed attempt. */
    public void failed(String ip, String user) {
        if (failures.size() > MAX_TRACKED) {
            failures.clear();
        }
        record("ip:" + ip);
        record("user:" + user.toLowerCase(Locale.ROOT));
    }

    private int current(String key) {
        Window w = failures.get(key);
        if (w == null || expired(w)) {
            return 0;
        }
        return w.failures();
    }

    private void record(String key) {
        failures.compute(key, (k, w) -> w == null || expired(w)
            ? new Window(clock.instant(), 1)
            : new Window(w.start(), w.failures() + 1));
    }

    private boolean expired(Window w) {
        return w.start().plus(window).isBefore(clock.instant());
    }
}
