package org.mailroom.storage.mailbox;

import java.util.ArrayList;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.model.MailboxConstants;

/**
 * James's session provider with system sessions numbered by a counter instead of a {@code SecureRandom} draw.
 *
 * <p>Every delivered copy (SMTP's {@code MailboxAppender}), every learning look-up and every IMAP default-folder check
 * opens a system session, and James's {@code SessionProviderImpl} gives each one an id from a static
 * {@code SecureRandom} (NativePRNG: one lock for all threads, a SHA-1 mix, now and then a read of /dev/urandom).
 * A session id only has to tell the sessions of this JVM apart (James matches an event to the session that caused
 * it, e.g. IMAP's own flag changes), not be unguessable: it never leaves the process. The counter's ids are unique
 * among themselves; an authenticated session keeps James's random id, which meets one of these with the same
 * negligible chance (count / 2^64) with which two random ids meet. Logins ({@code authenticate}) stay James's.
 */
final class CountedSystemSessions implements SessionProvider {
    private final SessionProvider james;
    /** Starts above {@link MailboxSession#SYSTEM_SESSION_ID} (0), which James reserves. */
    private final AtomicLong lastId = new AtomicLong(MailboxSession.SYSTEM_SESSION_ID);

    CountedSystemSessions(SessionProvider james) {
        this.james = Objects.requireNonNull(james, "james");
    }

    /** The same session James's provider makes (no logged-in user, no locales, the default delimiter), counted. */
    @Override
    public MailboxSession createSystemSession(Username user) {
        return new MailboxSession(MailboxSession.SessionId.of(lastId.incrementAndGet()), user, Optional.empty(),
            new ArrayList<>(), MailboxConstants.DEFAULT_DELIMITER, MailboxSession.SessionType.System);
    }

    @Override
    public AuthorizationStep authenticate(Username user, String password) {
        return james.authenticate(user, password);
    }

    @Override
    public AuthorizationStep authenticate(Username user) {
        return james.authenticate(user);
    }
}
