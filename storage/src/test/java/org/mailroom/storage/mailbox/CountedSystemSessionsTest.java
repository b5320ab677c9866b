package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.james.core.Username;
import org.apache.james.mailbox.Authorizator;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.exception.BadCredentialsException;
import org.apache.james.mailbox.store.SessionProviderImpl;
import org.junit.jupiter.api.Test;

class CountedSystemSessionsTest {
    private static final Username ALICE = Username.of("alice@example.test");

    private final SessionProviderImpl james = new SessionProviderImpl(
        (user, password) -> user.equals(ALICE) && "secret".contentEquals(password),
        (loggedIn, other) -> loggedIn.equals(other)
            ? Authorizator.AuthorizationState.ALLOWED : Authorizator.AuthorizationState.FORBIDDEN);
    private final CountedSystemSessions sessions = new CountedSystemSessions(james);

    @Test
    void systemSessionsOpenedAtOnceOnManyThreadsAllHaveTheirOwnId() throws Exception {
        int threads = 8;
        int perThread = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<List<Long>>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                work.add(() -> {
                    List<Long> ids = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++) {
                        ids.add(sessions.createSystemSession(ALICE).getSessionId().getValue());
                    }
                    return ids;
                });
            }
            Set<Long> seen = new HashSet<>();
            for (Future<List<Long>> done : pool.invokeAll(work)) {
                seen.addAll(done.get());
            }
            assertThat(seen).hasSize(threads * perThread).doesNotContain(MailboxSession.SYSTEM_SESSION_ID);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSystemSessionIsJamesOwnButForItsId() {
        MailboxSession counted = sessions.createSystemSession(ALICE);
        MailboxSession jamesOwn = james.createSystemSession(ALICE);

        assertThat(counted.getSessionId()).isNotEqualTo(jamesOwn.getSessionId());
        assertThat(counted.getUser()).isEqualTo(jamesOwn.getUser());
        assertThat(counted.getLoggedInUser()).isEqualTo(jamesOwn.getLoggedInUser()).isEmpty();
        assertThat(counted.getType()).isEqualTo(jamesOwn.getType()).isEqualTo(MailboxSession.SessionType.System);
        assertThat(counted.getPathDelimiter()).isEqualTo(jamesOwn.getPathDelimiter());
        assertThat(counted.getPersonalSpace()).isEqualTo(jamesOwn.getPersonalSpace());
        assertThat(counted.getOtherUsersSpace()).isEqualTo(jamesOwn.getOtherUsersSpace());
        assertThat(counted.getSharedSpaces()).isEqualTo(jamesOwn.getSharedSpaces());
        assertThat(counted.getLocalePreferences()).isEqualTo(jamesOwn.getLocalePreferences());
        assertThat(counted.getAttributes()).isEmpty();
        // Each session's attributes are its own (IMAP keeps per-connection state there).
        counted.getAttributes().put("key", "value");
        assertThat(sessions.createSystemSession(ALICE).getAttributes()).isEmpty();
    }

    @Test
    void loginsAreLeftToJames() throws Exception {
        MailboxSession loggedIn = sessions.authenticate(ALICE, "secret").withoutDelegation();

        assertThat(loggedIn.getUser()).isEqualTo(ALICE);
        assertThat(loggedIn.getLoggedInUser()).contains(ALICE);
        assertThat(loggedIn.getType()).isEqualTo(MailboxSession.SessionType.User);
        assertThatThrownBy(() -> sessions.authenticate(ALICE, "wrong").withoutDelegation())
            .isInstanceOf(BadCredentialsException.class);
        assertThat(sessions.authenticate(ALICE).as(ALICE).getUser()).isEqualTo(ALICE);
    }
}
