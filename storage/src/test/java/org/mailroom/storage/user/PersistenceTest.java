package org.mailroom.storage.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailroom.storage.user.TestStore.pw;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistenceTest {
    @TempDir
    Path dataDir;

    @Test
    void domainsUsersAndAliasesSurviveClosingAndReopening() {
        try (TestStore store = TestStore.open(dataDir)) {
            store.domains.add("example.org");
            store.users.add("alice@example.org", pw("alice-secret"));
            store.aliases.add("sales@example.org", "alice@example.org");
            store.aliases.add("@example.org", "alice@example.org");
        }

        try (TestStore store = TestStore.open(dataDir)) {
            assertThat(store.domains.list()).containsExactly("example.org");
            assertThat(store.users.list()).containsExactly("alice@example.org");
            assertThat(store.users.verify("alice@example.org", "alice-secret")).isTrue();
            assertThat(store.aliases.resolve("sales@example.org")).containsExactly("alice@example.org");
            assertThat(store.aliases.resolve("whoever@example.org")).containsExactly("alice@example.org");
        }
    }
}
