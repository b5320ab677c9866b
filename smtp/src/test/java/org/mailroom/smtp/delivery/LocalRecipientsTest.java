package org.mailroom.smtp.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.mailroom.storage.user.AliasRepository;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.PasswordHasher;
import org.mailroom.storage.user.UserRepository;

/** Remembered RCPT answers (real Derby): kept until {@link LocalRecipients#forgetAll}, which admin commands call. */
class LocalRecipientsTest {

    @TempDir
    static Path directory;
    static Database database;
    static DomainRepository domains;
    static UserRepository users;
    static AliasRepository aliases;

    @BeforeAll
    static void store() {
        database = Database.open(DatabaseSettings.embedded(directory.resolve("data")));
        domains = new DomainRepository(database);
        users = new UserRepository(database, domains, PasswordHasher.weakForTestsOnly(1_000));
        aliases = new AliasRepository(database, domains, users);
        domains.add("example.test");
        users.add("alice@example.test", "a long enough password".toCharArray());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void rememberedAnswersFollowTheDirectoryOnceForgotten() {
        LocalRecipients recipients = new LocalRecipients(domains, users, aliases, Optional.empty(), "mx.example.test",
            Duration.ofMinutes(1));
        assertThat(recipients.resolve("alice", "Example.TEST.")).containsExactly("alice@example.test");
        assertThat(recipients.resolve("carol", "example.test")).isEmpty();
        assertThat(recipients.isLocalDomain("other.test")).isFalse();

        users.add("carol@example.test", "a long enough password".toCharArray());
        domains.add("other.test");
        users.remove("alice@example.test");
        assertThat(recipients.resolve("carol", "example.test")).as("remembered, not asked again").isEmpty();

        recipients.forgetAll();
        assertThat(recipients.resolve("carol", "example.test")).containsExactly("carol@example.test");
        assertThat(recipients.resolve("alice", "example.test")).isEmpty();
        assertThat(recipients.isLocalDomain("OTHER.test")).isTrue();
    }

    @Test
    void withoutACacheEveryAnswerIsFresh() {
        LocalRecipients recipients = new LocalRecipients(domains, users, aliases, Optional.empty(), "mx.example.test");
        assertThat(recipients.resolve("dave", "example.test")).isEmpty();
        users.add("dave@example.test", "a long enough password".toCharArray());
        assertThat(recipients.resolve("dave", "example.test")).containsExactly("dave@example.test");
    }
}
