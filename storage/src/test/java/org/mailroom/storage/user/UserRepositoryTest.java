package org.mailroom.storage.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mailroom.storage.user.TestStore.pw;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

class UserRepositoryTest {
    private TestStore store;
    private UserRepository users;

    /** The database this suite runs on, emptied; the PostgreSQL twin overrides it. */
    protected Database database() {
        return TestDatabases.derby();
    }

    @BeforeEach
    void clear() {
        store = TestStore.on(database());
        store.domains.add("example.org");
        store.domains.add("example.net");
        users = store.users;
    }

    @Test
    void addedUserExistsAndVerifies() {
        users.add("Alice@Example.org", pw("alice-secret"));

        assertThat(users.exists("alice@example.org")).isTrue();
        assertThat(users.exists("ALICE@EXAMPLE.ORG")).isTrue();
        assertThat(users.verify("alice@example.org", "alice-secret")).isTrue();
        assertThat(users.verify("Alice@example.ORG", "alice-secret")).isTrue();
        assertThat(users.verify("alice@example.org", "alice-Secret")).isFalse();
        assertThat(users.verify("bob@example.org", "alice-secret")).isFalse();
        assertThat(users.verify("not an address", "alice-secret")).isFalse();
    }

    @Test
    void storedHashIsNotThePassword() {
        users.add("alice@example.org", pw("alice-secret"));

        String stored = storedHash("alice@example.org");
        assertThat(stored).startsWith("pbkdf2-sha256$").doesNotContain("alice-secret");
    }

    @Test
    void listsAreSortedAndPerDomain() {
        users.add("carol@example.org", pw("carol-secret"));
        users.add("alice@example.org", pw("alice-secret"));
        users.add("bob@example.net", pw("bob-secret!"));

        assertThat(users.list()).containsExactly("alice@example.org", "bob@example.net", "carol@example.org");
        assertThat(users.list("Example.ORG")).containsExactly("alice@example.org", "carol@example.org");
        assertThat(users.list("example.net")).containsExactly("bob@example.net");
        assertThat(users.list("unknown.example")).isEmpty();
    }

    @Test
    void userOfAnUnknownDomainIsRefused() {
        assertThatThrownBy(() -> users.add("alice@example.com", pw("alice-secret")))
            .isInstanceOf(UserAdminException.class)
            .hasMessage("example.com is not a local domain");
        assertThat(users.list()).isEmpty();
    }

    @Test
    void duplicateIsRefusedWhateverTheCase() {
        users.add("alice@example.org", pw("alice-secret"));

        assertThatThrownBy(() -> users.add("ALICE@example.org", pw("other-secret")))
            .isInstanceOf(UserAdminException.class)
            .hasMessage("user alice@example.org already exists");
        assertThat(users.verify("alice@example.org", "alice-secret")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"a b\"@example.org", "a%b@example.org", "a!b@example.org", "@example.org",
        "a@b@example.org", "a b@example.org", "a\u0000b@example.org", "a\r\nb@example.org", ".a@example.org",
        "a.@example.org", "a..b@example.org", "alice", "alice@", "alice@exa_mple.org", "\"alice\"@example.org",
        "ä@example.org"})
    void badAddressesAreRefused(String address) {
        assertThatThrownBy(() -> users.add(address, pw("alice-secret")))
            .isInstanceOf(UserAdminException.class)
            .hasMessageStartingWith("invalid address '")
            .hasMessageNotContaining("\n").hasMessageNotContaining("\r");
        assertThat(users.exists(address)).isFalse();
        assertThat(users.list()).isEmpty();
    }

    @Test
    void localPartLongerThan64IsRefused() {
        assertThatThrownBy(() -> users.add("a".repeat(65) + "@example.org", pw("alice-secret")))
            .hasMessageStartingWith("invalid address");
        users.add("a".repeat(64) + "@example.org", pw("alice-secret"));
        users.add("first.last+tag#x$&'*/=?^_`{|}~-@example.org", pw("alice-secret"));
        assertThat(users.list()).hasSize(2);
    }

    @Test
    void shortOrEmptyPasswordsAreRefused() {
        assertThatThrownBy(() -> users.add("alice@example.org", pw("")))
            .hasMessage("a password is required for alice@example.org");
        assertThatThrownBy(() -> users.add("alice@example.org", null))
            .hasMessage("a password is required for alice@example.org");
        assertThatThrownBy(() -> users.add("alice@example.org", pw("1234567")))
            .isInstanceOf(UserAdminException.class)
            .hasMessage("the password for alice@example.org must be at least 8 characters long")
            .hasMessageNotContaining("1234567");
        users.add("alice@example.org", pw("12345678"));
    }

    @Test
    void changePasswordReplacesTheOldOne() {
        users.add("alice@example.org", pw("alice-secret"));

        users.changePassword("Alice@example.org", pw("new-alice-secret"));

        assertThat(users.verify("alice@example.org", "new-alice-secret")).isTrue();
        assertThat(users.verify("alice@example.org", "alice-secret")).isFalse();
        assertThatThrownBy(() -> users.changePassword("alice@example.org", pw("short")))
            .hasMessageContaining("at least 8 characters");
        assertThatThrownBy(() -> users.changePassword("bob@example.org", pw("bob-secret!")))
            .isInstanceOf(UserAdminException.class)
            .hasMessage("user bob@example.org does not exist");
    }

    @Test
    void removeDeletesTheUserAndAliasesPointingOnlyToIt() {
        users.add("alice@example.org", pw("alice-secret"));
        users.add("bob@example.org", pw("bob-secret!"));
        store.aliases.add("al@example.org", "alice@example.org");
        store.aliases.add("team@example.org", "alice@example.org");
        store.aliases.add("team@example.org", "bob@example.org");

        users.remove("ALICE@example.org");

        assertThat(users.exists("alice@example.org")).isFalse();
        assertThat(users.verify("alice@example.org", "alice-secret")).isFalse();
        assertThat(store.aliases.list()).containsExactly(new Alias("team@example.org", "bob@example.org"));
        assertThatThrownBy(() -> users.remove("alice@example.org"))
            .isInstanceOf(UserAdminException.class)
            .hasMessage("user alice@example.org does not exist");
    }

    @Test
    void anAliasAddressCannotBecomeAUser() {
        users.add("alice@example.org", pw("alice-secret"));
        store.aliases.add("sales@example.org", "alice@example.org");

        assertThatThrownBy(() -> users.add("sales@example.org", pw("sales-secret")))
            .isInstanceOf(UserAdminException.class)
            .hasMessageStartingWith("sales@example.org is already an alias");
    }

    @Test
    void idnDomainsAreStoredInAsciiForm() {
        store.domains.add("bücher.example");
        users.add("anna@BÜCHER.example", pw("anna-secret"));

        assertThat(users.list()).containsExactly("anna@xn--bcher-kva.example");
        assertThat(users.verify("anna@bücher.example", "anna-secret")).isTrue();
    }

    @Test
    void aLoginUpgradesAHashMadeWithFewerIterations() {
        users.add("alice@example.org", pw("alice-secret"));
        UserRepository stronger = new UserRepository(store.db, store.domains, new PasswordHasher(211_000));

        assertThat(stronger.verify("alice@example.org", "wrong-secret")).isFalse();
        assertThat(storedHash("alice@example.org")).startsWith("pbkdf2-sha256$1000$");
        assertThat(stronger.verify("alice@example.org", "alice-secret")).isTrue();
        assertThat(storedHash("alice@example.org")).startsWith("pbkdf2-sha256$211000$");
        assertThat(users.verify("alice@example.org", "alice-secret")).isTrue();
    }

    @Test
    void aGoodLoginIsRememberedAndAFailedOneNever() {
        users.add("alice@example.org", pw("alice-secret"));
        VerifiedLoginCache cache = new VerifiedLoginCache();
        UserRepository cached = new UserRepository(store.db, store.domains, TestStore.HASHER, cache);
        String hash = storedHash("alice@example.org");

        assertThat(cached.verify("alice@example.org", "wrong-secret")).isFalse();
        assertThat(cache.verified("alice@example.org", "wrong-secret", hash)).isFalse();
        assertThat(cache.verified("alice@example.org", "alice-secret", hash)).isFalse();

        assertThat(cached.verify("Alice@Example.org", "alice-secret")).isTrue();
        assertThat(cache.verified("alice@example.org", "alice-secret", hash)).isTrue();
        // a remembered login answers the same as the full check, for the right and the wrong password
        assertThat(cached.verify("alice@example.org", "alice-secret")).isTrue();
        assertThat(cached.verify("alice@example.org", "alice-secreT")).isFalse();
        assertThat(cache.verified("alice@example.org", "alice-secreT", hash)).isFalse();
    }

    @Test
    void aRememberedLoginEndsWhenAnotherProcessChangesThePasswordOrRemovesTheUser() {
        users.add("alice@example.org", pw("alice-secret"));
        users.add("bob@example.org", pw("bob-secret"));
        UserRepository server = new UserRepository(store.db, store.domains, TestStore.HASHER, new VerifiedLoginCache());
        assertThat(server.verify("alice@example.org", "alice-secret")).isTrue();
        assertThat(server.verify("bob@example.org", "bob-secret")).isTrue();

        // another repository (the admin command line, another server on the same database) changes the rows
        users.changePassword("alice@example.org", pw("alice-new-secret"));
        users.remove("bob@example.org");

        assertThat(server.verify("alice@example.org", "alice-secret")).isFalse();
        assertThat(server.verify("alice@example.org", "alice-new-secret")).isTrue();
        assertThat(server.verify("bob@example.org", "bob-secret")).isFalse();
    }

    @Test
    void changingThePasswordOrRemovingTheUserForgetsTheRememberedLogin() {
        VerifiedLoginCache cache = new VerifiedLoginCache();
        UserRepository server = new UserRepository(store.db, store.domains, TestStore.HASHER, cache);
        server.add("alice@example.org", pw("alice-secret"));
        server.add("bob@example.org", pw("bob-secret"));
        String aliceHash = storedHash("alice@example.org");
        String bobHash = storedHash("bob@example.org");
        assertThat(server.verify("alice@example.org", "alice-secret")).isTrue();
        assertThat(server.verify("bob@example.org", "bob-secret")).isTrue();

        server.changePassword("alice@example.org", pw("alice-new-secret"));
        server.remove("bob@example.org");

        assertThat(cache.verified("alice@example.org", "alice-secret", aliceHash)).isFalse();
        assertThat(cache.verified("bob@example.org", "bob-secret", bobHash)).isFalse();
    }

    private String storedHash(String username) {
        return store.db.read(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT password_hash FROM mr_user WHERE username = ?")) {
                select.setString(1, username);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }
}
