package org.mailroom.dist.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.dist.CliRun;
import org.mailroom.dist.ExitCode;
import org.mailroom.dist.config.ConfigLoader;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailParser;
import org.mailroom.sorter.spam.SpamFilter;
import org.mailroom.sorter.spam.TokenStore;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.sorter.JdbcTokenStore;

/** {@code admin spam train} end to end: an mbox of spam and a Maildir of ham into real Derby, then classified. */
class SpamTrainCliTest {
    @TempDir
    Path dir;

    private AdminCliTest.Cli cli;

    @BeforeEach
    void writeConfig() throws IOException {
        Path config = Files.writeString(dir.resolve("mailroom.yaml"),
            "storage:\n  data-dir: " + dir.resolve("data") + "\n");
        cli = new AdminCliTest.Cli(dir, config);
    }

    private static String spam(int i) {
        return "From: Deals <deals@cheap-pills.example>\nTo: you@example.org\nSubject: Cheap pills " + i
            + "\nMessage-ID: <s" + i + "@cheap-pills.example>\n\nBuy cheap pills now, huge discount, click here " + i
            + "\n";
    }

    /** Eight spam in {@code spam.mbox} and eight ham in {@code Maildir/cur}; returns the mbox. */
    private Path writeSpamMboxAndHamMaildir() throws IOException {
        StringBuilder mbox = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            mbox.append("From deals@cheap-pills.example Mon Mar  2 10:00:00 2026\n").append(spam(i)).append('\n');
        }
        Path maildir = Files.createDirectories(dir.resolve("Maildir/cur"));
        for (int i = 0; i < 8; i++) {
            Files.writeString(maildir.resolve(i + ".eml"), ham(i).replace("\n", "\r\n"));
        }
        return Files.writeString(dir.resolve("spam.mbox"), mbox);
    }

    private static String ham(int i) {
        return "From: Bob <bob@example.org>\nTo: alice@example.org\nSubject: Project notes " + i
            + "\nDate: Mon, 2 Mar 2026 10:00:00 +0000\nMessage-ID: <h" + i + "@example.org>\n\n"
            + "Hi Alice, here are the notes from the project meeting " + i + "\n";
    }

    @Test
    void trainsTheGlobalModelFromAnMboxAndAMaildir() throws IOException {
        Path spamFile = writeSpamMboxAndHamMaildir();

        CliRun run = cli.run("admin", "spam", "train", "--spam", spamFile.toString(), "--ham",
            dir.resolve("Maildir").toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("Trained 8 spam and 8 ham messages into the global model in ");
        try (Database db = Database.open(new ConfigLoader().load(cli.config()).storage().databaseSettings())) {
            JdbcTokenStore store = new JdbcTokenStore(db);
            assertThat(store.totals(TokenStore.GLOBAL).spamMessages()).isEqualTo(8);
            SpamFilter filter = new SpamFilter(store);
            MailParser parser = new MailParser();
            double spamScore = filter.spamLogOdds("alice@example.org", parser.parse(spam(50).getBytes()),
                SessionFacts.none()).orElseThrow();
            double hamScore = filter.spamLogOdds("alice@example.org", parser.parse(ham(50).getBytes()),
                SessionFacts.none()).orElseThrow();
            assertThat(spamScore).isGreaterThan(0).isGreaterThan(hamScore);
            assertThat(hamScore).isLessThan(0);
        }
    }

    @Test
    void severalOrdersAreTrainedAndTheirAverageStoredOncePerMessage() throws IOException {
        Path spamFile = writeSpamMboxAndHamMaildir();

        CliRun run = cli.run("admin", "spam", "train", "--spam", spamFile.toString(), "--ham",
            dir.resolve("Maildir").toString(), "--orders", "3");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("Trained 8 spam and 8 ham messages into the global model in ")
            .contains("averaged over 3 orders");
        try (Database db = Database.open(new ConfigLoader().load(cli.config()).storage().databaseSettings())) {
            JdbcTokenStore store = new JdbcTokenStore(db);
            assertThat(store.totals(TokenStore.GLOBAL).spamMessages()).isEqualTo(8);
            assertThat(store.totals(TokenStore.GLOBAL).hamMessages()).isEqualTo(8);
            assertThat(store.record(TokenStore.GLOBAL, "<s3@cheap-pills.example>")).isPresent();
            SpamFilter filter = new SpamFilter(store);
            MailParser parser = new MailParser();
            assertThat(filter.spamLogOdds("alice@example.org", parser.parse(spam(50).getBytes()),
                SessionFacts.none()).orElseThrow()).isGreaterThan(0);
            assertThat(filter.spamLogOdds("alice@example.org", parser.parse(ham(50).getBytes()),
                SessionFacts.none()).orElseThrow()).isLessThan(0);
        }

        CliRun none = cli.run("admin", "spam", "train", "--ham", dir.resolve("Maildir").toString(), "--orders", "0");
        assertThat(none.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(none.err()).contains("--orders must be between 1 and 20, not 0");
    }

    @Test
    void badInputIsReportedInOneLine() {
        CliRun none = cli.run("admin", "spam", "train");
        assertThat(none.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(none.err()).contains("give at least one --spam or --ham folder");

        CliRun missing = cli.run("admin", "spam", "train", "--spam", dir.resolve("nope").toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(missing.errLines()).hasSize(1);
        assertThat(missing.err()).contains("cannot read --spam", "nope: no such file or directory");

        CliRun unknownUser = cli.run("admin", "spam", "train", "--ham", dir.toString(), "--user",
            "ghost@example.org");
        assertThat(unknownUser.exitCode()).isEqualTo(ExitCode.REFUSED);
        assertThat(unknownUser.err()).contains("No such user: ghost@example.org");
    }
}
