package org.mailroom.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads an Enron-replay corpus (users.tsv, and per user a folder with events.tsv and the message files it names).
 *
 * <p>The held-out corpora that count are other exports of the same layout, so the reader is forgiving where a
 * faithful copy could still differ (columns found by their header names, Windows line endings, bytes that are not
 * UTF-8, a space instead of {@code T} in a date, a date without a zone taken as UTC) and loud where it cannot go on: a user without its
 * folder, an unreadable line or an event whose message file is missing is skipped and named in {@link #problems()}
 * (file and line), so one bad row costs that row, not the run.
 */
final class ReplayCorpus {

    record User(String name, String primary, Set<String> own) {
    }

    record Event(User user, long seq, Instant at, boolean incoming, Path file, String label) {
    }

    private final List<User> users;
    private final List<String> problems = new ArrayList<>();

    private ReplayCorpus(List<User> users) {
        this.users = users;
    }

    /** The users listed in {@code root/users.tsv}, in file order. */
    static ReplayCorpus open(Path root) throws IOException {
        Path file = root.resolve("users.tsv");
        List<String> lines = lines(file);
        List<User> users = new ArrayList<>();
        if (lines.isEmpty()) {
            return new ReplayCorpus(users);
        }
        Map<String, Integer> columns = columns(lines.get(0));
        int userColumn = columns.getOrDefault("user", 0);
        int ownColumn = columns.getOrDefault("own_addresses", 1);
        ReplayCorpus corpus = new ReplayCorpus(users);
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String[] cols = line.split("\t", -1);
            if (cols.length <= userColumn || cols[userColumn].isBlank()) {
                corpus.problems.add(file + ":" + (i + 1) + ": no user name; line skipped");
                continue;
            }
            String name = cols[userColumn].strip();
            String ownList = cols.length > ownColumn ? cols[ownColumn] : "";
            List<String> own = Arrays.stream(ownList.split(",")).map(s -> s.strip().toLowerCase(Locale.ROOT))
                .filter(s -> !s.isEmpty()).toList();
            // Two folders may share an address (the same person exported twice): the folder name keeps users apart.
            users.add(new User(name, name + "@replay.invalid", Set.copyOf(own)));
        }
        return corpus;
    }

    List<User> users() {
        return users;
    }

    /** What was skipped so far, one line each ({@code file:line: why}). */
    List<String> problems() {
        return problems;
    }

    /** The user's events in file order; rows that cannot be replayed are skipped and recorded as problems. */
    List<Event> events(Path root, User user) throws IOException {
        Path dir = root.resolve(user.name());
        Path file = dir.resolve("events.tsv");
        if (!Files.isRegularFile(file)) {
            problems.add(file + ": missing; user " + user.name() + " skipped");
            return List.of();
        }
        List<String> lines = lines(file);
        List<Event> events = new ArrayList<>();
        if (lines.isEmpty()) {
            return events;
        }
        Map<String, Integer> columns = columns(lines.get(0));
        int seqColumn = columns.getOrDefault("seq", 0);
        int dateColumn = columns.getOrDefault("date_utc", 1);
        int kindColumn = columns.getOrDefault("kind", 2);
        int pathColumn = columns.getOrDefault("path", 3);
        int labelColumn = columns.getOrDefault("label", 4);
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String where = file + ":" + (i + 1) + ": ";
            String[] c = line.split("\t", -1);
            if (c.length <= Math.max(seqColumn, Math.max(dateColumn, Math.max(kindColumn, pathColumn)))) {
                problems.add(where + "fewer columns than the header names; line skipped");
                continue;
            }
            String kind = c[kindColumn].strip().toUpperCase(Locale.ROOT);
            if (!kind.equals("INCOMING") && !kind.equals("SENT")) {
                problems.add(where + "kind '" + c[kindColumn] + "' is neither INCOMING nor SENT; line skipped");
                continue;
            }
            long seq;
            Instant at;
            try {
                seq = Long.parseLong(c[seqColumn].strip());
                at = instant(c[dateColumn].strip());
            } catch (NumberFormatException | DateTimeParseException e) {
                problems.add(where + e.getMessage() + "; line skipped");
                continue;
            }
            Path message = dir.resolve(c[pathColumn].strip());
            if (!Files.isRegularFile(message)) {
                problems.add(where + message + " is missing; event skipped");
                continue;
            }
            String label = c.length > labelColumn ? c[labelColumn].strip().toLowerCase(Locale.ROOT) : "";
            events.add(new Event(user, seq, at, kind.equals("INCOMING"), message, label));
        }
        return events;
    }

    /** An ISO-8601 instant; also {@code 2001-05-14 16:39:00} or without a zone, taken as UTC. */
    static Instant instant(String text) {
        String iso = text.replace(' ', 'T');
        try {
            return Instant.parse(iso);
        } catch (DateTimeParseException noZone) {
            return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
        }
    }

    private static Map<String, Integer> columns(String header) {
        Map<String, Integer> columns = new HashMap<>();
        String[] names = header.split("\t", -1);
        for (int i = 0; i < names.length; i++) {
            columns.putIfAbsent(names[i].strip().toLowerCase(Locale.ROOT), i);
        }
        return columns;
    }

    /** The file's lines (any line ending; bytes that are not UTF-8 replaced, not fatal), without a byte-order mark. */
    private static List<String> lines(Path file) throws IOException {
        List<String> lines = new ArrayList<>(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList());
        if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
            lines.set(0, lines.get(0).substring(1));
        }
        return lines;
    }
}
