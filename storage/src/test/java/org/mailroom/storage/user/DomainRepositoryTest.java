package org.mailroom.storage.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mailroom.storage.user.TestStore.pw;


import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.testing.TestDatabases;

class DomainRepositoryTest {
    private TestStore store;
    private DomainRepository domains;

    /** The database this suite runs on, emptied; the PostgreSQL twin overrides it. */
    protected Database database() {
        return TestDatabases.derby();
    }

    @BeforeEach
    void clear() {
        store = TestStore.on(database());
        domains = store.domains;
    }

    @Test
    void addedDomainsAreListedSortedAndContained() {
        domains.add("example.org");
        domains.add("b.example");
        domains.add("a.example");

        assertThat(domains.list()).containsExactly("a.example", "b.example", "example.org");
        assertThat(domains.contains("example.org")).isTrue();
        assertThat(domains.contains("example.net")).isFalse();
    }

    @Test
    void namesAreNormalisedToLowerCaseAscii() {
        domains.add("Example.ORG");
        domains.add("bücher.example");

        assertThat(domains.list()).containsExactly("example.org", "xn--bcher-kva.example");
        assertThat(domains.contains("EXAMPLE.org")).isTrue();
        assertThat(domains.contains("BÜCHER.example")).isTrue();
        assertThat(domains.contains("xn--bcher-kva.example")).isTrue();
    }

    @Test
    void duplicateIsRefused() {
        domains.add("example.org");

        assertThatThrownBy(() -> domains.add("EXAMPLE.org"))
            .isInstanceOf(UserAdminException.class)
            .hasMessage("domain example.org already exists");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "exa mple.org", "ex_ample.org", "-example.org", "example-.org", "example..org",
        ".example.org", "example.org.", "a@b.org", "192.168.1.1", "exa\nmple.org",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.org"})
    void invalidNamesAreRefused(String name) {
        assertThatThrownBy(() -> domains.add(name))
            .isInstanceOf(UserAdminException.class)
            .hasMessageStartingWith(name.isEmpty() ? "a domain name is required" : "invalid domain '");
        assertThat(domains.contains(name)).isFalse();
        assertThat(domains.list()).isEmpty();
    }

    @Test
    void nameLongerThan253IsRefused() {
        String label = "a".repeat(63);
        String tooLong = String.join(".", label, label, label, label);

        assertThat(tooLong).hasSize(255);
        assertThatThrownBy(() -> domains.add(tooLong)).hasMessageContaining("longer than 253");
        domains.add(tooLong.substring(2));
        assertThat(domains.list()).containsExactly(tooLong.substring(2));
    }

    @Test
    void removeDeletesTheDomain() {
        domains.add("example.org");
        domains.remove("Example.org");

        assertThat(domains.list()).isEmpty();
        assertThat(domains.contains("example.org")).isFalse();
    }

    @Test
    void removingAnUnknownDomainIsRefused() {
        assertThatThrownBy(() -> domains.remove("example.org"))
            .isInstanceOf(UserAdminException.class)
            .hasMessage("example.org is not a local domain");
    }

    @Test
    void removeIsRefusedWhileUsersOrAliasesRemain() {
        domains.add("example.org");
        domains.add("other.example.org");
        store.users.add("alice@example.org", pw("alice-secret"));
        store.users.add("bob@example.org", pw("bob-secret!"));
        store.users.add("carol@other.example.org", pw("carol-secret"));
        store.aliases.add("sales@example.org", "alice@example.org");
        store.aliases.add("sales@example.org", "bob@example.org");

        assertThatThrownBy(() -> domains.remove("example.org"))
            .isInstanceOf(UserAdminException.class)
            .hasMessage("domain example.org still has 2 users and 1 alias; remove them first");
        assertThat(domains.contains("example.org")).isTrue();

        store.users.remove("alice@example.org");
        store.users.remove("bob@example.org");
        domains.remove("example.org");
        assertThat(domains.list()).containsExactly("other.example.org");
    }

    @Test
    void removeIsRefusedWhileACatchAllRemains() {
        domains.add("example.org");
        domains.add("example.net");
        store.users.add("alice@example.net", pw("alice-secret"));
        store.aliases.add("@example.org", "alice@example.net");

        assertThatThrownBy(() -> domains.remove("example.org"))
            .hasMessage("domain example.org still has 1 alias; remove it first");
    }
}
