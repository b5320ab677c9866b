package org.mailroom.sorter.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleFilesTest {

    @TempDir
    Path dir;

    /** A clock the test moves, so "checked at most once a second" needs no sleeping. */
    private static final class MovingClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final MovingClock clock = new MovingClock();

    private void write(Path file, long mtimeSeconds, String... lines) throws Exception {
        Files.createDirectories(file.getParent());
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.fromMillis(mtimeSeconds * 1000));
    }

    @Test
    void globalRulesComeFirstThenTheUsersAndAChangeIsPickedUp() throws Exception {
        Path global = dir.resolve("rules");
        Path users = dir.resolve("rules.d");
        write(global, 1, "if dnsbl listed then spam");
        write(users.resolve("alice@example.test.rules"), 1, "if from domain bank.example then priority");
        RuleFiles files = new RuleFiles(global, users, clock, Duration.ofSeconds(1));

        assertThat(files.rulesFor("Alice@Example.test")).extracting(Rule::origin)
            .containsExactly(global + ":1", users.resolve("alice@example.test.rules") + ":1");
        assertThat(files.rulesFor("bob@example.test")).hasSize(1);

        write(global, 2, "# now two", "if dnsbl listed then spam", "if spf is fail then spam");
        assertThat(files.rulesFor("bob@example.test")).as("not checked again within a second").hasSize(1);
        clock.now = clock.now.plusSeconds(2);
        assertThat(files.rulesFor("bob@example.test")).extracting(Rule::origin)
            .containsExactly(global + ":2", global + ":3");
    }

    @Test
    void aBrokenFileKeepsThePreviousRulesAndReportsFileAndLine() throws Exception {
        Path global = dir.resolve("rules");
        write(global, 1, "if from domain a.test then priority");
        RuleFiles files = new RuleFiles(global, dir.resolve("rules.d"), clock, Duration.ofSeconds(1));
        assertThat(files.rulesFor("u@x.test")).hasSize(1);

        write(global, 5, "if from domain a.test then priority", "if subject has x then spam");
        clock.now = clock.now.plusSeconds(5);
        assertThat(files.rulesFor("u@x.test")).extracting(Rule::text)
            .containsExactly("if from domain a.test then priority");
        assertThat(files.problems(null)).containsExactly(global + ":2: column 12: unknown matcher 'has' "
            + "(expected contains, is, matches, domain or exists)");

        write(global, 9, "if from domain a.test then priority", "if subject contains x then spam");
        clock.now = clock.now.plusSeconds(5);
        assertThat(files.rulesFor("u@x.test")).hasSize(2);
        assertThat(files.problems(null)).isEmpty();
    }

    @Test
    void aMissingFileMeansNoRules() {
        RuleFiles files = new RuleFiles(dir.resolve("none"), dir.resolve("none.d"), clock, Duration.ofSeconds(1));
        assertThat(files.rulesFor("u@x.test")).isEmpty();
        assertThat(files.problems("u@x.test")).isEmpty();
    }

    @Test
    void addAndRemoveEditTheFileAndRefuseBadRules() throws Exception {
        Path global = dir.resolve("rules");
        write(global, 1, "# header comment", "if from domain a.test \\", "  then priority",
            "if from domain b.test then spam");
        RuleFiles files = new RuleFiles(global, dir.resolve("rules.d"), clock, Duration.ZERO);

        files.add("bob@x.test", "if subject contains invoice then fileinto Invoices");
        assertThat(files.rulesOf("bob@x.test")).extracting(Rule::text)
            .containsExactly("if subject contains invoice then fileinto Invoices");
        assertThatThrownBy(() -> files.add("bob@x.test", "if subject then x"))
            .isInstanceOf(RuleSyntaxException.class).hasMessageContaining("rules.d/bob@x.test.rules:2:");

        Rule removed = files.remove(null, 1);
        assertThat(removed.text()).startsWith("if from domain a.test");
        assertThat(Files.readAllLines(global)).containsExactly("# header comment", "if from domain b.test then spam");
        assertThatThrownBy(() -> files.remove(null, 5)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("no rule 5");
        assertThatThrownBy(() -> files.rulesOf("../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }
}
