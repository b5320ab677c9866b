package org.mailroom.sorter.rules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules on disk: one global file (e.g. {@code conf/rules}) and one file per user in a directory
 * ({@code conf/rules.d/alice@example.org.rules}). A file is re-read when its modification time or size changes
 * (checked at most once per {@code checkEvery} per file, so a busy server does not stat on every message). A file
 * with an error is reported ({@code file:line: problem}) and the rules read from it before stay active.
 */
public final class RuleFiles implements UserRules {

    private static final Logger LOG = LoggerFactory.getLogger(RuleFiles.class);
    private static final String SUFFIX = ".rules";

    private final Path globalFile;
    private final Path userDirectory;
    private final Clock clock;
    private final Duration checkEvery;
    private final RuleParser parser = new RuleParser();
    private final Map<Path, Loaded> loaded = new ConcurrentHashMap<>();

    /** What was last read from one file; {@code problems} is the last error, empty when it was read cleanly. */
    private record Loaded(FileTime modified, long size, List<Rule> rules, List<String> problems, Instant checked) {
    }

    public RuleFiles(Path globalFile, Path userDirectory, Clock clock, Duration checkEvery) {
        this.globalFile = Objects.requireNonNull(globalFile, "globalFile");
        this.userDirectory = Objects.requireNonNull(userDirectory, "userDirectory");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.checkEvery = Objects.requireNonNull(checkEvery, "checkEvery");
    }

    public RuleFiles(Path globalFile, Path userDirectory) {
        this(globalFile, userDirectory, Clock.systemUTC(), Duration.ofSeconds(1));
    }

    @Override
    public List<Rule> rulesFor(String user) {
        List<Rule> global = current(globalFile).rules();
        List<Rule> own = current(userFile(user)).rules();
        if (own.isEmpty()) {
            return global;
        }
        List<Rule> all = new ArrayList<>(global.size() + own.size());
        all.addAll(global);
        all.addAll(own);
        return all;
    }

    /** The rules of the global file (when {@code user} is null) or of one user's file only. */
    public List<Rule> rulesOf(String user) {
        return current(fileOf(user)).rules();
    }

    /** The problems of the last read of the global and the user's files, {@code file:line: problem} each. */
    public List<String> problems(String user) {
        List<String> problems = new ArrayList<>(current(globalFile).problems());
        if (user != null) {
            problems.addAll(current(userFile(user)).problems());
        }
        return problems;
    }

    /** The file holding {@code user}'s rules, or the global file when {@code user} is null. */
    public Path fileOf(String user) {
        return user == null ? globalFile : userFile(user);
    }

    /**
     * Appends a rule to the global file (user null) or the user's file, after checking it parses. The file is
     * replaced atomically, so a running server never reads half a file.
     */
    public Rule add(String user, String ruleText) throws RuleSyntaxException, IOException {
        Path file = fileOf(user);
        List<String> lines = readLines(file);
        Rule rule = parser.parseRule(ruleText.strip(), file + ":" + (lines.size() + 1));
        lines.add(ruleText.strip());
        write(file, lines);
        return rule;
    }

    /** Removes the rule numbered {@code number} (1-based, as {@code rules list} shows) from the file; returns it. */
    public Rule remove(String user, int number) throws RuleSyntaxException, IOException {
        Path file = fileOf(user);
        List<String> lines = readLines(file);
        List<Rule> rules = parser.parseFile(file.toString(), lines);
        if (number < 1 || number > rules.size()) {
            throw new IllegalArgumentException("no rule " + number + " in " + file + " (it has " + rules.size()
                + ")");
        }
        Rule rule = rules.get(number - 1);
        int first = Integer.parseInt(rule.origin().substring(rule.origin().lastIndexOf(':') + 1)) - 1;
        int last = first;
        while (last < lines.size() - 1 && lines.get(last).strip().endsWith("\\")) {
            last++;
        }
        lines.subList(first, last + 1).clear();
        write(file, lines);
        return rule;
    }

    private Path userFile(String user) {
        String name = user.toLowerCase(Locale.ROOT);
        // A user name is an address; anything that could leave the directory is not one.
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("not a user name: " + user);
        }
        return userDirectory.resolve(name + SUFFIX);
    }

    private Loaded current(Path file) {
        Instant now = clock.instant();
        Loaded previous = loaded.get(file);
        if (previous != null && now.isBefore(previous.checked().plus(checkEvery))) {
            return previous;
        }
        Loaded fresh = reload(file, previous, now);
        loaded.put(file, fresh);
        return fresh;
    }

    private Loaded reload(Path file, Loaded previous, Instant now) {
        FileTime modified;
        long size;
        try {
            modified = Files.getLastModifiedTime(file);
            size = Files.size(file);
        } catch (NoSuchFileException gone) {
            return new Loaded(FileTime.fromMillis(0), -1, List.of(), List.of(), now);
        } catch (IOException e) {
            return keep(previous, List.of(file + ": cannot read: " + e.getMessage()), now);
        }
        if (previous != null && previous.modified().equals(modified) && previous.size() == size) {
            return new Loaded(modified, size, previous.rules(), previous.problems(), now);
        }
        try {
            List<Rule> rules = parser.parseFile(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
            if (previous != null) {
                LOG.info("rules reloaded from {}: {} rules", file, rules.size());
            }
            return new Loaded(modified, size, rules, List.of(), now);
        } catch (RuleSyntaxException e) {
            LOG.error("rules in {} not loaded, the previous ones stay active:\n{}", file, e.getMessage());
            Loaded kept = keep(previous, e.problems(), now);
            return new Loaded(modified, size, kept.rules(), kept.problems(), now);
        } catch (IOException e) {
            return keep(previous, List.of(file + ": cannot read: " + e.getMessage()), now);
        }
    }

    private static Loaded keep(Loaded previous, List<String> problems, Instant now) {
        List<Rule> rules = previous == null ? List.of() : previous.rules();
        FileTime modified = previous == null ? FileTime.fromMillis(0) : previous.modified();
        long size = previous == null ? -1 : previous.size();
        return new Loaded(modified, size, rules, problems, now);
    }

    private static List<String> readLines(Path file) throws IOException {
        try {
            return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException missing) {
            return new ArrayList<>();
        }
    }

    private static void write(Path file, List<String> lines) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temporary = Files.createTempFile(parent, ".rules-", ".tmp");
        try {
            Files.write(temporary, lines, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
