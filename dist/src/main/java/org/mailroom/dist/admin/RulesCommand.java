package org.mailroom.dist.admin;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import org.mailroom.sorter.Decision;
import org.mailroom.sorter.SortTrace;
import org.mailroom.sorter.rules.Rule;
import org.mailroom.sorter.rules.RuleSyntaxException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mailroom admin rules list|add|remove|test}: the sorting rules (conf/rules, conf/rules.d/USER.rules). */
@Command(name = "rules", mixinStandardHelpOptions = true,
    description = {"Lists, adds, removes and tests sorting rules (the language is described in conf/rules).",
        "Without --user: the global rules file; with it: that user's own rules. A running server picks up changes "
            + "within a second."})
final class RulesCommand {
    private final Supplier<SortingTools> tools;

    @Spec
    private CommandSpec spec;

    RulesCommand(Supplier<SortingTools> tools) {
        this.tools = tools;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "Prints the rules numbered as remove expects; with USER the global rules, then USER's.")
    int list(@Parameters(paramLabel = "USER", arity = "0..1") String user) {
        try (SortingTools sorting = tools.get()) {
            print("global rules (" + sorting.rules().fileOf(null) + ")", sorting.rules().rulesOf(null));
            if (user != null) {
                print("rules of " + user + " (" + sorting.rules().fileOf(user) + ")", sorting.rules().rulesOf(user));
            }
            List<String> problems = sorting.rules().problems(user);
            for (String problem : problems) {
                spec.commandLine().getErr().println(problem);
            }
            return problems.isEmpty() ? 0 : 1;
        }
    }

    private void print(String title, List<Rule> rules) {
        out().println(title + ":");
        if (rules.isEmpty()) {
            out().println("  (none)");
        }
        for (int i = 0; i < rules.size(); i++) {
            out().println(String.format("  %2d  %s", i + 1, rules.get(i).text()));
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
        description = "Appends RULE (one argument: quote it) after checking it.")
    int add(@Option(names = "--user", paramLabel = "USER") String user,
            @Parameters(paramLabel = "RULE") String rule) throws IOException {
        try (SortingTools sorting = tools.get()) {
            Rule added = sorting.rules().add(user, rule);
            out().println("Added rule " + sorting.rules().rulesOf(user).size() + " to " + sorting.rules().fileOf(user)
                + ": " + added.text());
            return 0;
        } catch (RuleSyntaxException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 1;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
        description = "Removes rule number N (as rules list shows it).")
    int remove(@Option(names = "--user", paramLabel = "USER") String user,
               @Parameters(paramLabel = "N") int number) throws IOException {
        try (SortingTools sorting = tools.get()) {
            Rule removed = sorting.rules().remove(user, number);
            out().println("Removed rule " + number + " from " + sorting.rules().fileOf(user) + ": " + removed.text());
            return 0;
        } catch (RuleSyntaxException e) {
            spec.commandLine().getErr().println("fix the file first: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 1;
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
        description = "Sorts FILE (a message, .eml) for USER and prints which rule matched and the decision.")
    int test(@Option(names = "--user", paramLabel = "USER", defaultValue = "postmaster@localhost") String user,
             @Parameters(paramLabel = "FILE") Path file) throws IOException {
        byte[] message = Files.readAllBytes(file);
        try (SortingTools sorting = tools.get()) {
            Decision decision = sorting.sort(user, message);
            out().println("matched rule: " + decision.matchedRule().orElse("(none: the learned scores decide)"));
            out().print(SortTrace.breakdown(decision));
            return 0;
        }
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
