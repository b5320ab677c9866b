package org.mailroom.dist.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.dist.ExitCode;
import org.mailroom.dist.CliRun;
import org.mailroom.dist.StoreTemplate;
import org.mailroom.dist.config.ConfigLoader;
import org.mailroom.storage.queue.DeliveryReply;
import org.mailroom.storage.queue.OutboundQueue;
import org.mailroom.storage.queue.RecipientOutcome;
import org.mailroom.storage.queue.RecipientState;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.PasswordHasher;
import org.mailroom.storage.user.UserRepository;

/** The admin commands end to end: real command line parsing, real Derby in a temporary data directory. */
class AdminCliTest {
    @TempDir
    Path dir;

    private Cli cli;

    @BeforeEach
    void writeConfig() throws IOException {
        StoreTemplate.copyTo(dir.resolve("data"));
        Path config = Files.writeString(dir.resolve("mailroom.yaml"),
            "storage:\n  data-dir: " + dir.resolve("data") + "\n");
        cli = new Cli(dir, config);
    }

    @Test
    void domainsAreAddedListedAndRemoved() {
        assertThat(cli.run("admin", "domain", "list").out()).isEmpty();
        CliRun added = cli.run("admin", "domain", "add", "example.org");
        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(added.out()).isEqualTo("Added domain example.org\n");
        cli.run("admin", "domain", "add", "example.net");

        assertThat(cli.run("admin", "domain", "list").out()).isEqualTo("example.net\nexample.org\n");

        assertThat(cli.run("admin", "domain", "remove", "example.net").exitCode()).isZero();
        assertThat(cli.run("admin", "domain", "list").out()).isEqualTo("example.org\n");
    }

    @Test
    void addingADomainTwiceIsRefusedInOneLine() {
        cli.run("admin", "domain", "add", "example.org");
        CliRun again = cli.run("admin", "domain", "add", "example.org");

        assertThat(again.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(again.errLines()).hasSize(1);
        assertThat(again.err()).contains("example.org");
    }

    @Test
    void userAddedWithPasswordFromStdinCanLogInAndChangeIt() {
        cli.run("admin", "domain", "add", "example.org");

        CliRun added = cli.runWithStdin("correct horse battery\n", "admin", "user", "add", "alice@example.org",
            "--password-stdin");
        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(added.out()).isEqualTo("Added user alice@example.org\n");
        assertThat(verify("alice@example.org", "correct horse battery")).isTrue();

        cli.runWithStdin("s3cond-password\r\n", "admin", "user", "add", "bob@example.org", "--password-stdin");
        assertThat(cli.run("admin", "user", "list").out()).isEqualTo("alice@example.org\nbob@example.org\n");
        assertThat(cli.run("admin", "user", "list", "example.org").out())
            .isEqualTo("alice@example.org\nbob@example.org\n");
        assertThat(verify("bob@example.org", "s3cond-password")).as("CRLF line end is not part of the password").isTrue();

        CliRun changed = cli.runWithStdin("new-secret\n", "admin", "user", "passwd", "alice@example.org",
            "--password-stdin");
        assertThat(changed.exitCode()).as(changed.err()).isZero();
        assertThat(verify("alice@example.org", "new-secret")).isTrue();
        assertThat(verify("alice@example.org", "correct horse battery")).isFalse();

        assertThat(cli.run("admin", "user", "remove", "bob@example.org").exitCode()).isZero();
        assertThat(cli.run("admin", "user", "list").out()).isEqualTo("alice@example.org\n");
    }

    @Test
    void passwordIsNeverTakenFromArguments() {
        cli.run("admin", "domain", "add", "example.org");
        CliRun result = cli.run("admin", "user", "add", "alice@example.org", "hunter2");

        assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(result.errLines()).hasSize(1);
    }

    @Test
    void withoutTerminalOrStdinFlagThePasswordPromptIsAUsageError() {
        cli.run("admin", "domain", "add", "example.org");
        CliRun result = cli.run("admin", "user", "add", "alice@example.org");

        assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(result.errLines()).containsExactly(
            "there is no terminal to ask for the password: pipe it in with --password-stdin");
    }

    @Test
    void emptyPasswordIsRefused() {
        cli.run("admin", "domain", "add", "example.org");
        CliRun result = cli.runWithStdin("\n", "admin", "user", "add", "alice@example.org", "--password-stdin");

        assertThat(result.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(result.errLines()).containsExactly("the password is empty");
        assertThat(cli.run("admin", "user", "list").out()).isEmpty();
    }

    @Test
    void passwordTheStoreRefusesIsReportedInOneLine() {
        cli.run("admin", "domain", "add", "example.org");
        CliRun result = cli.runWithStdin("short\n", "admin", "user", "add", "alice@example.org", "--password-stdin");

        assertThat(result.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(result.errLines()).hasSize(1);
        assertThat(result.err()).contains("alice@example.org");
    }

    @Test
    void userInAnUnknownDomainIsRefusedInOneLine() {
        CliRun result = cli.runWithStdin("long-enough-pw\n", "admin", "user", "add", "alice@nowhere.example",
            "--password-stdin");

        assertThat(result.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(result.errLines()).hasSize(1);
        assertThat(result.err()).contains("nowhere.example");
    }

    @Test
    void aliasesAreAddedListedAndRemoved() {
        cli.run("admin", "domain", "add", "example.org");
        cli.runWithStdin("pw-alice-long\n", "admin", "user", "add", "alice@example.org", "--password-stdin");
        cli.runWithStdin("pw-bob-long\n", "admin", "user", "add", "bob@example.org", "--password-stdin");

        CliRun added = cli.run("admin", "alias", "add", "postmaster@example.org", "alice@example.org");
        assertThat(added.exitCode()).as(added.err()).isZero();
        cli.run("admin", "alias", "add", "postmaster@example.org", "bob@example.org");
        cli.run("admin", "alias", "add", "info@example.org", "bob@example.org");
        assertThat(cli.run("admin", "alias", "list").out()).isEqualTo("""
            info@example.org -> bob@example.org
            postmaster@example.org -> alice@example.org
            postmaster@example.org -> bob@example.org
            """);

        assertThat(cli.run("admin", "alias", "remove", "postmaster@example.org", "bob@example.org").exitCode())
            .isZero();
        assertThat(cli.run("admin", "alias", "remove", "info@example.org").exitCode()).isZero();
        assertThat(cli.run("admin", "alias", "list").out()).isEqualTo("postmaster@example.org -> alice@example.org\n");
    }

    @Test
    void aliasToAnUnknownUserIsRefused() {
        cli.run("admin", "domain", "add", "example.org");
        CliRun result = cli.run("admin", "alias", "add", "info@example.org", "nobody@example.org");

        assertThat(result.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(result.errLines()).hasSize(1);
    }

    @Test
    void unknownSubcommandAndMissingArgumentsAreUsageErrors() {
        CliRun unknown = cli.run("admin", "domain", "rename", "a", "b");
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(unknown.errLines()).hasSize(1);

        CliRun missing = cli.run("admin", "alias", "add", "info@example.org");
        assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(missing.errLines()).hasSize(1);
        assertThat(missing.err()).contains("TARGET");
    }

    @Test
    void configOptionWorksBeforeTheSubcommandToo() {
        CliRun result = CliRun.run(dir, "", "--config", cli.config.toString(),
            "admin", "domain", "add", "example.org");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(cli.run("admin", "domain", "list").out()).isEqualTo("example.org\n");
    }

    @Test
    void invalidConfigurationStopsAdminCommandsWithFileAndLine() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "storage:\n  data-dri: x\n");
        CliRun result = CliRun.run(dir, "", "admin", "domain", "list", "--config",
            bad.toString());

        assertThat(result.exitCode()).isEqualTo(ExitCode.CONFIG);
        assertThat(result.errLines()).hasSize(1);
        assertThat(result.err()).startsWith(bad + ":2: storage.data-dri: unknown key");
    }

    @Test
    void queueIsListedShownRetriedBouncedAndDeleted() {
        long first;
        long second;
        try (Database db = Database.open(new ConfigLoader().load(cli.config).storage().databaseSettings())) {
            OutboundQueue queue = new OutboundQueue(db);
            byte[] message = "Subject: queued\r\n\r\nhi\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            first = queue.enqueue("alice@elsewhere.test", java.util.List.of("bob@remote.test", "carol@remote.test"),
                message, java.time.Instant.parse("2026-01-01T10:00:00Z"));
            second = queue.enqueue("dave@elsewhere.test", java.util.List.of("erin@remote.test"), message,
                java.time.Instant.parse("2026-01-01T11:00:00Z"));
            queue.record(first, java.util.List.of(new RecipientOutcome(0, RecipientState.DEFERRED,
                java.util.Optional.of(java.time.Instant.parse("2026-01-01T10:05:00Z")),
                new DeliveryReply(451, "4.3.0", "greylisted"), java.util.Optional.of("mx.remote.test"))),
                java.time.Instant.parse("2026-01-01T10:00:01Z"));
        }

        CliRun list = cli.run("admin", "queue", "list");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).contains(first + "  2026-01-01 10:00:00Z  23 bytes  <alice@elsewhere.test>  2/2 pending",
            "2 message(s) queued");

        CliRun show = cli.run("admin", "queue", "show", Long.toString(first));
        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(show.out()).contains("<bob@remote.test>  DEFERRED  1 attempt(s)  next 2026-01-01 10:05:00Z"
            + "  last: 451 4.3.0 greylisted", "<carol@remote.test>  QUEUED  0 attempt(s)",
            "2026-01-01 10:00:01Z  <bob@remote.test>  DEFERRED at mx.remote.test  451 4.3.0 greylisted");

        assertThat(cli.run("admin", "queue", "retry", Long.toString(first)).out())
            .isEqualTo("Message " + first + " will be tried now\n");

        CliRun bounced = cli.run("admin", "queue", "bounce", Long.toString(second));
        assertThat(bounced.exitCode()).as(bounced.err()).isZero();
        // The sender is not local: the report waits in the queue, from <>, for dave.
        CliRun after = cli.run("admin", "queue", "list");
        assertThat(after.out()).doesNotContain("<dave@elsewhere.test>").contains("<>  1/1 pending", "2 message(s) queued");
        // The bounced one is history: listed with --all, shown with its states and attempts.
        CliRun all = cli.run("admin", "queue", "list", "--all");
        assertThat(all.exitCode()).as(all.err()).isZero();
        assertThat(all.out()).contains(second + "  2026-01-01 11:00:00Z  23 bytes  <dave@elsewhere.test>  0/1 pending"
            + "  completed ", "2 message(s) queued, 1 completed (kept as history)");
        CliRun history = cli.run("admin", "queue", "show", Long.toString(second));
        assertThat(history.exitCode()).as(history.err()).isZero();
        assertThat(history.out()).contains("(kept as history)", "<erin@remote.test>  BOUNCED  1 attempt(s)",
            "<erin@remote.test>  BOUNCED  550 5.0.0 delivery cancelled by the postmaster");
        CliRun bouncedAgain = cli.run("admin", "queue", "bounce", Long.toString(second));
        assertThat(bouncedAgain.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(bouncedAgain.err()).contains("message " + second + " is complete: every recipient was delivered or"
            + " bounced");

        assertThat(cli.run("admin", "queue", "delete", Long.toString(first)).exitCode()).isZero();
        CliRun missing = cli.run("admin", "queue", "show", Long.toString(first));
        assertThat(missing.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(missing.errLines()).hasSize(1);
        assertThat(missing.err()).contains("no message " + first + " in the queue or its history");
        CliRun unknown = cli.run("admin", "queue", "bounce", "999999");
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(unknown.err()).contains("no queued message 999999").doesNotContain("complete");
    }

    private boolean verify(String address, String password) {
        try (Database db = Database.open(new ConfigLoader().load(cli.config).storage().databaseSettings())) {
            DomainRepository domains = new DomainRepository(db);
            return new UserRepository(db, domains, PasswordHasher.defaults()).verify(address, password);
        }
    }

    /** The command line with {@code --config} pointing at this test's configuration. */
    record Cli(Path installRoot, Path config) {
        CliRun run(String... args) {
            return runWithStdin("", args);
        }

        CliRun runWithStdin(String stdin, String... args) {
            String[] withConfig = new String[args.length + 2];
            System.arraycopy(args, 0, withConfig, 0, args.length);
            withConfig[args.length] = "--config";
            withConfig[args.length + 1] = config.toString();
            return CliRun.run(installRoot, stdin, withConfig);
        }
    }
}
