package org.mailroom.storage.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mailroom.storage.user.TestStore.pw;


import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

class AliasRepositoryTest {
    private TestStore store;
    private AliasRepository aliases;

    /** The database this suite runs on, emptied; the PostgreSQL twin overrides it. */
    protected Database database() {
        return TestDatabases.derby();
    }

    @BeforeEach
    void clear() {
        store = TestStore.on(database());
        store.domains.add("example.org");
        store.domains.add("example.net");
        store.users.add("alice@example.org", pw("alice-secret"));
        store.users.add("bob@example.org", pw("bob-secret!"));
        aliases = store.aliases;
    }

    @Test
    void aliasResolvesToItsTargets() {
        aliases.add("Sales@Example.org", "alice@example.org");
        aliases.add("sales@example.org", "BOB@example.org");

        assertThat(aliases.resolve("sales@example.org")).containsExactly("alice@example.org", "bob@example.org");
        assertThat(aliases.resolve("SALES@EXAMPLE.ORG")).containsExactly("alice@example.org", "bob@example.org");
        assertThat(aliases.list()).containsExactly(
            new Alias("sales@example.org", "alice@example.org"), new Alias("sales@example.org", "bob@example.org"));
    }

    @Test
    void aUserResolvesToItself() {
        assertThat(aliases.resolve("Alice@example.org")).containsExactly("alice@example.org");
    }

    @Test
    void unknownAndInvalidAddressesResolveToNobody() {
        assertThat(aliases.resolve("nobody@example.org")).isEmpty();
        assertThat(aliases.resolve("alice@example.com")).isEmpty();
        assertThat(aliases.resolve("\"a b\"@example.org")).isEmpty();
        assertThat(aliases.resolve("a@b@example.org")).isEmpty();
        assertThat(aliases.resolve(null)).isEmpty();
    }

    @Test
    void catchAllTakesOnlyAddressesThatAreNeitherUsersNorAliases() {
        aliases.add("sales@example.org", "bob@example.org");
        aliases.add("@Example.org", "alice@example.org");

        assertThat(aliases.resolve("anything@example.org")).containsExactly("alice@example.org");
        assertThat(aliases.resolve("bob@example.org")).containsExactly("bob@example.org");
        assertThat(aliases.resolve("sales@example.org")).containsExactly("bob@example.org");
        assertThat(aliases.resolve("anything@example.net")).isEmpty();
        assertThat(aliases.list()).contains(new Alias("@example.org", "alice@example.org"));
    }

    @Test
    void aSubaddressGoesToItsUserOrAliasButAnExactAddressWins() {
        aliases.add("sales@example.org", "bob@example.org");
        aliases.add("alice+work@example.org", "bob@example.org");

        assertThat(aliases.resolve("alice+news@example.org")).containsExactly("alice@example.org");
        assertThat(aliases.resolve("Alice+News+Daily@Example.org")).containsExactly("alice@example.org");
        assertThat(aliases.resolve("sales+eu@example.org")).containsExactly("bob@example.org");
        assertThat(aliases.resolve("alice+work@example.org")).containsExactly("bob@example.org");
        assertThat(aliases.resolve("alice+@example.org")).containsExactly("alice@example.org");
        assertThat(aliases.resolve("nobody+news@example.org")).isEmpty();
        assertThat(aliases.resolve("+news@example.org")).isEmpty();
        assertThat(aliases.resolve("alice+news@example.net")).isEmpty();

        // With a catch-all, a subaddress of a known address is still that address's.
        aliases.add("@example.org", "bob@example.org");
        assertThat(aliases.resolve("alice+news@example.org")).containsExactly("alice@example.org");
        assertThat(aliases.resolve("nobody+news@example.org")).containsExactly("bob@example.org");
    }

    @Test
    void aUsersOwnAddressesAreTheAliasesPointingToItButNotCatchAlls() {
        aliases.add("Sales@example.org", "alice@example.org");
        aliases.add("sales@example.org", "bob@example.org");
        aliases.add("a.smith@example.net", "alice@example.org");
        aliases.add("@example.org", "alice@example.org");

        assertThat(aliases.addressesOf("Alice@Example.org")).containsExactly("a.smith@example.net", "sales@example.org");
        assertThat(aliases.addressesOf("bob@example.org")).containsExactly("sales@example.org");
        aliases.remove("sales@example.org", "bob@example.org");
        assertThat(aliases.addressesOf("bob@example.org")).isEmpty();
        assertThat(aliases.addressesOf("not an address")).isEmpty();
    }

    @Test
    void aliasToAnUnknownUserIsRefused() {
        assertThatThrownBy(() -> aliases.add("sales@example.org", "carol@example.org"))
            .isInstanceOf(UserAdminException.class)
            .hasMessage("user carol@example.org does not exist");
        assertThat(aliases.list()).isEmpty();
    }

    @Test
    void aliasInAnUnknownDomainIsRefused() {
        assertThatThrownBy(() -> aliases.add("sales@example.com", "alice@example.org"))
            .isInstanceOf(UserAdminException.class)
            .hasMessage("example.com is not a local domain");
        assertThatThrownBy(() -> aliases.add("@example.com", "alice@example.org"))
            .hasMessage("example.com is not a local domain");
    }

    @Test
    void aliasThatIsAUserIsRefused() {
        assertThatThrownBy(() -> aliases.add("Bob@example.org", "alice@example.org"))
            .isInstanceOf(UserAdminException.class)
            .hasMessage("bob@example.org is a user, so it cannot also be an alias");
    }

    @Test
    void duplicateAliasIsRefused() {
        aliases.add("sales@example.org", "bob@example.org");

        assertThatThrownBy(() -> aliases.add("SALES@example.org", "bob@example.org"))
            .isInstanceOf(UserAdminException.class)
            .hasMessage("alias sales@example.org already points to bob@example.org");
    }

    @Test
    void invalidAliasAddressesAreRefused() {
        assertThatThrownBy(() -> aliases.add("a%b@example.org", "bob@example.org"))
            .hasMessage("invalid address 'a%b@example.org'");
        assertThatThrownBy(() -> aliases.add("@exa mple.org", "bob@example.org"))
            .hasMessageStartingWith("invalid domain 'exa mple.org'");
    }

    @Test
    void removeOneTargetOrAll() {
        aliases.add("sales@example.org", "alice@example.org");
        aliases.add("sales@example.org", "bob@example.org");
        aliases.add("team@example.org", "bob@example.org");

        aliases.remove("Sales@example.org", "alice@example.org");
        assertThat(aliases.resolve("sales@example.org")).containsExactly("bob@example.org");
        assertThatThrownBy(() -> aliases.remove("sales@example.org", "alice@example.org"))
            .isInstanceOf(UserAdminException.class)
            .hasMessage("alias sales@example.org does not point to alice@example.org");

        aliases.remove("team@example.org");
        assertThat(aliases.resolve("team@example.org")).isEmpty();
        assertThat(aliases.list()).containsExactly(new Alias("sales@example.org", "bob@example.org"));
        assertThatThrownBy(() -> aliases.remove("team@example.org"))
            .hasMessage("team@example.org is not an alias");
    }

    @Test
    void catchAllCanBeRemoved() {
        aliases.add("@example.org", "alice@example.org");

        aliases.remove("@EXAMPLE.org");

        assertThat(aliases.resolve("anything@example.org")).isEmpty();
    }
}
