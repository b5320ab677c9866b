package org.mailroom.storage.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailroom.storage.user.TestStore.pw;

import org.apache.james.core.Username;
import org.apache.james.mailbox.Authorizator.AuthorizationState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

class MailroomAuthenticatorTest {
    private TestStore store;

    /** The database this suite runs on, emptied; the PostgreSQL twin overrides it. */
    protected Database database() {
        return TestDatabases.derby();
    }

    @BeforeEach
    void open() {
        store = TestStore.on(database());
        store.domains.add("example.org");
        store.users.add("alice@example.org", pw("alice-secret"));
        store.users.add("bob@example.org", pw("bob-secret!"));
    }

    @Test
    void acceptsTheRightPassword() throws Exception {
        assertThat(store.authenticator.isAuthentic(Username.of("alice@example.org"), "alice-secret")).isTrue();
        assertThat(store.authenticator.isAuthentic(Username.of("Alice@Example.org"), "alice-secret")).isTrue();
    }

    @Test
    void refusesTheWrongPassword() throws Exception {
        assertThat(store.authenticator.isAuthentic(Username.of("alice@example.org"), "bob-secret!")).isFalse();
        assertThat(store.authenticator.isAuthentic(Username.of("alice@example.org"), "")).isFalse();
    }

    @Test
    void refusesAnUnknownUser() throws Exception {
        assertThat(store.authenticator.isAuthentic(Username.of("carol@example.org"), "alice-secret")).isFalse();
        assertThat(store.authenticator.isAuthentic(Username.of("alice"), "alice-secret")).isFalse();
    }

    @Test
    void onlyTheUserItselfMayLogInAsIt() throws Exception {
        Username alice = Username.of("alice@example.org");

        assertThat(store.authenticator.canLoginAsOtherUser(alice, Username.of("ALICE@example.org")))
            .isEqualTo(AuthorizationState.ALLOWED);
        assertThat(store.authenticator.canLoginAsOtherUser(alice, Username.of("bob@example.org")))
            .isEqualTo(AuthorizationState.FORBIDDEN);
        assertThat(store.authenticator.canLoginAsOtherUser(alice, Username.of("carol@example.org")))
            .isEqualTo(AuthorizationState.UNKNOWN_USER);
    }
}
