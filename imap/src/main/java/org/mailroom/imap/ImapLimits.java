package org.mailroom.imap;

import java.time.Duration;
import java.util.Objects;

/**
 * Resource limits of an IMAP listener.
 *
 * @param maxLineLength     longest command line in bytes, literals excluded (default 65,536); a longer line is
 *                          answered BAD
 * @param maxLiteralSize    largest literal in bytes (default 50 MiB; the composition root gives the store's largest
 *                          message, announced as APPENDLIMIT); a larger announced literal is refused before its
 *                          bytes are read
 * @param connectionsPerIp  simultaneous connections from one address (default 20, 0 = unlimited); further
 *                          connections are closed at once
 * @param maxConnections    simultaneous connections on the listener (default 0 = unlimited)
 * @param idleTimeout       a connection that sends and receives nothing for this long is logged out (default
 *                          30 min, the RFC 3501 minimum for authenticated sessions; IDLE clients are kept alive by
 *                          James's heartbeat)
 * @param loginTimeout      a connection still not authenticated after this long is closed with BYE (default 60 s)
 * @param throttle          failed-login throttling, see {@link LoginThrottle}
 */
public record ImapLimits(int maxLineLength, int maxLiteralSize, int connectionsPerIp, int maxConnections,
                         Duration idleTimeout, Duration loginTimeout, LoginThrottle.Policy throttle) {
    public ImapLimits {
        if (maxLineLength < 1024) {
            throw new IllegalArgumentException("maxLineLength must be at least 1024 bytes: " + maxLineLength);
        }
        if (maxLiteralSize < 1) {
            throw new IllegalArgumentException("maxLiteralSize must be positive: " + maxLiteralSize);
        }
        if (connectionsPerIp < 0 || maxConnections < 0) {
            throw new IllegalArgumentException("connection limits must be >= 0");
        }
        requirePositive(idleTimeout, "idleTimeout");
        requirePositive(loginTimeout, "loginTimeout");
        Objects.requireNonNull(throttle, "throttle");
    }

    public static ImapLimits defaults() {
        return new ImapLimits(65_536, 50 * 1024 * 1024, 20, 0, Duration.ofMinutes(30), Duration.ofSeconds(60),
            LoginThrottle.Policy.defaults());
    }

    public ImapLimits withMaxLineLength(int value) {
        return new ImapLimits(value, maxLiteralSize, connectionsPerIp, maxConnections, idleTimeout, loginTimeout, throttle);
    }

    public ImapLimits withMaxLiteralSize(int value) {
        return new ImapLimits(maxLineLength, value, connectionsPerIp, maxConnections, idleTimeout, loginTimeout, throttle);
    }

    public ImapLimits withConnectionsPerIp(int value) {
        return new ImapLimits(maxLineLength, maxLiteralSize, value, maxConnections, idleTimeout, loginTimeout, throttle);
    }

    public ImapLimits withIdleTimeout(Duration value) {
        return new ImapLimits(maxLineLength, maxLiteralSize, connectionsPerIp, maxConnections, value, loginTimeout, throttle);
    }

    public ImapLimits withLoginTimeout(Duration value) {
        return new ImapLimits(maxLineLength, maxLiteralSize, connectionsPerIp, maxConnections, idleTimeout, value, throttle);
    }

    public ImapLimits withThrottle(LoginThrottle.Policy value) {
        return new ImapLimits(maxLineLength, maxLiteralSize, connectionsPerIp, maxConnections, idleTimeout, loginTimeout, value);
    }

    private static void requirePositive(Duration duration, String what) {
        Objects.requireNonNull(duration, what);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + duration);
        }
    }
}
