package org.mailroom.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.dist.admin.UserDirectory;
import org.mailroom.smtp.delivery.LocalRecipients;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.mailroom.storage.user.AliasRepository;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.PasswordHasher;
import org.mailroom.storage.user.UserRepository;

/**
 * An admin command run inside the server (real Derby) makes the server forget what it remembered of the directory:
 * the SMTP recipients and the importance model's own addresses of each user, so an alias counts at once.
 */
class ServerAdminBackendTest {

    @TempDir
    Path directory;

    @Test
    void anAdminCommandMakesTheImportanceModelSeeANewAliasAtOnce() throws Exception {
        try (Database database = Database.open(DatabaseSettings.embedded(directory.resolve("data")))) {
            DomainRepository domains = new DomainRepository(database);
            UserRepository users = new UserRepository(database, domains, PasswordHasher.weakForTestsOnly(1_000));
            AliasRepository aliases = new AliasRepository(database, domains, users);
            domains.add("example.test");
            users.add("alice@example.test", "a long enough password".toCharArray());
            OwnAddresses own = new OwnAddresses(aliases);
            LocalRecipients recipients = new LocalRecipients(domains, users, aliases, Optional.empty(),
                "mx.example.test", java.time.Duration.ofMinutes(1));
            ServerAdminBackend backend = new ServerAdminBackend(database, domains, users, aliases, null, null,
                directory, () -> null, null, null, recipients, own);

            assertThat(own.apply("alice@example.test")).doesNotContain("boss@example.test");
            aliases.add("boss@example.test", "alice@example.test");
            assertThat(own.apply("alice@example.test")).as("remembered for a minute when changed elsewhere")
                .doesNotContain("boss@example.test");

            try (UserDirectory directoryCommand = backend.openDirectory()) {
                directoryCommand.aliases().add("chief@example.test", "alice@example.test");
            }
            assertThat(own.apply("alice@example.test")).as("forgotten when the admin command is done")
                .contains("boss@example.test", "chief@example.test");
        }
    }
}
