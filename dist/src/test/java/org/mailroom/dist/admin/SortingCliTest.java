package org.mailroom.dist.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.dist.CliRun;

/** {@code admin rules ...} and {@code admin explain --file} through the real command line. */
class SortingCliTest {
    @TempDir
    Path dir;

    private Path config;

    @BeforeEach
    void writeConfig() throws IOException {
        config = Files.writeString(dir.resolve("mailroom.yaml"), "storage:\n  data-dir: " + dir.resolve("data") + "\n");
    }

    private CliRun run(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--config";
        all[1] = config.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return CliRun.run(dir, "", all);
    }

    @Test
    void rulesAreAddedListedTestedAndRemoved() throws IOException {
        CliRun added = run("admin", "rules", "add", "if from domain bank.example then priority, keyword $Bank");
        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(added.out()).contains("Added rule 1 to " + dir.resolve("rules"));
        assertThat(run("admin", "rules", "add", "--user", "alice@example.org",
            "if subject contains lottery then spam").exitCode()).isZero();

        CliRun bad = run("admin", "rules", "add", "if subject has x then spam");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).startsWith(dir.resolve("rules") + ":2: column 12: unknown matcher 'has'");

        CliRun list = run("admin", "rules", "list", "alice@example.org");
        assertThat(list.out()).contains("global rules (" + dir.resolve("rules") + "):\n"
            + "   1  if from domain bank.example then priority, keyword $Bank\n")
            .contains("rules of alice@example.org (" + dir.resolve("rules.d/alice@example.org.rules") + "):\n"
                + "   1  if subject contains lottery then spam\n");

        Path message = Files.writeString(dir.resolve("m.eml"),
            "From: Statements <no-reply@bank.example>\r\nSubject: you won the lottery\r\n\r\nhi\r\n");
        CliRun test = run("admin", "rules", "test", "--user", "alice@example.org", message.toString());
        assertThat(test.exitCode()).as(test.err()).isZero();
        assertThat(test.out()).contains("matched rule: " + dir.resolve("rules")
            + ":1: if from domain bank.example then priority, keyword $Bank", "category:   priority",
            "keywords:   $Bank $Important $NotJunk");

        CliRun explain = run("admin", "explain", "--file", message.toString(), "--user", "bob@example.org");
        // The rule decides although the learned importance model scores this bulk-looking message below 0.
        assertThat(explain.out()).contains("category:   priority", "scores:", "importance-addressing")
            .containsPattern("importance: -\\d");

        assertThat(run("admin", "rules", "remove", "1").out()).contains("Removed rule 1");
        CliRun after = run("admin", "rules", "test", "--user", "alice@example.org", message.toString());
        assertThat(after.out()).contains("matched rule: " + dir.resolve("rules.d/alice@example.org.rules")
            + ":1: if subject contains lottery then spam", "category:   spam");
        assertThat(run("admin", "rules", "remove", "7").err()).contains("no rule 7");
    }

    @Test
    void explainingAMissingStoredMessageSaysSo() {
        assertThat(run("admin", "domain", "add", "example.org").exitCode()).isZero();
        assertThat(CliRun.run(dir, "a long password\n", "--config", config.toString(), "admin", "user", "add",
            "alice@example.org", "--password-stdin").exitCode()).isZero();
        CliRun explain = run("admin", "explain", "alice@example.org", "INBOX", "5");
        assertThat(explain.exitCode()).isEqualTo(1);
        assertThat(explain.err()).contains("no folder INBOX for alice@example.org");
    }
}
