package org.mailroom.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.mailroom.bench.ReplayCorpus.Event;
import org.mailroom.bench.ReplayCorpus.User;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.importance.ImportanceModel;
import org.mailroom.sorter.importance.InMemoryImportanceState;
import org.mailroom.sorter.learning.SentMail;
import org.mailroom.sorter.message.MailAddress;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.message.MailParser;

/**
 * Replays an Enron-replay corpus (the layout of ../shared/corpus/enron-replay-dev.tar.xz: users.tsv and one
 * events.tsv per user) through {@link ImportanceModel} exactly as the server would drive it: an INCOMING event is
 * scored first (evaluate), then recorded as delivered (recordReceived); a SENT event goes through learnSent, the
 * path submission uses, which discovers the replies; messages unanswered for 30 days are learned as normal by the
 * model itself. The label column is read only to score the predictions. All users' events are merged in time
 * order, as one server hosting every mailbox would see them.
 *
 * <p>Argument: the directory holding users.tsv. Options: {@code -Dbench.users=all|even|odd} (replay only every
 * other user, for cross-validation on halves), {@code -Dbench.learningRate}, {@code -Dbench.l2},
 * {@code -Dbench.threshold} (override the model's settings for tuning).
 */
public final class ImportanceBenchmark {

    private record Scored(String user, double score, boolean important) {
    }

    private ImportanceBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : "../shared/corpus/enron-replay-dev");
        if (!Files.isRegularFile(root.resolve("users.tsv"))) {
            System.err.println(root + ": no users.tsv here (give the unpacked corpus directory)");
            System.exit(2);
        }
        String which = System.getProperty("bench.users", "all");
        ReplayCorpus corpus = ReplayCorpus.open(root);
        List<User> users = corpus.users();
        List<User> selected = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            if (which.equals("all") || (which.equals("even") == (i % 2 == 0))) {
                selected.add(users.get(i));
            }
        }
        List<Event> events = new ArrayList<>();
        for (User user : selected) {
            events.addAll(corpus.events(root, user));
        }
        List<String> problems = corpus.problems();
        problems.stream().limit(20).forEach(p -> System.err.println("skipped: " + p));
        if (problems.size() > 20) {
            System.err.println("skipped: ... and " + (problems.size() - 20) + " more");
        }
        events.sort(Comparator.comparing(Event::at).thenComparing(e -> e.incoming() ? 0 : 1)
            .thenComparing(e -> e.user().name()).thenComparingLong(Event::seq));

        ImportanceModel.Settings defaults = ImportanceModel.Settings.defaults();
        ImportanceModel.Settings settings = new ImportanceModel.Settings(
            Double.parseDouble(System.getProperty("bench.learningRate", String.valueOf(defaults.learningRate()))),
            Double.parseDouble(System.getProperty("bench.l2", String.valueOf(defaults.l2()))),
            Double.parseDouble(System.getProperty("bench.threshold", String.valueOf(defaults.threshold()))),
            defaults.labelAfter(),
            Double.parseDouble(System.getProperty("bench.prior", String.valueOf(defaults.prior()))),
            Double.parseDouble(System.getProperty("bench.perUserScale", String.valueOf(defaults.perUserScale()))),
            Double.parseDouble(System.getProperty("bench.initialAccumulator",
                String.valueOf(defaults.initialAccumulator()))),
            Double.parseDouble(System.getProperty("bench.denseScale", String.valueOf(defaults.denseScale()))));
        Map<String, Set<String>> ownByPrimary = selected.stream().collect(Collectors.toMap(User::primary, User::own));
        InMemoryImportanceState state = new InMemoryImportanceState();
        ImportanceModel model = new ImportanceModel(state, u -> ownByPrimary.getOrDefault(u, Set.of()), settings);
        MailParser parser = new MailParser();

        // -Dbench.dumpFeatures=FILE: each scored message's user, label, score and starting features, for
        // bench/fit-importance-start.py (the starting weights are fitted on them). FILE.messages names each row's
        // message (user, seq, path under the corpus), line for line, so misses can be read back (error analysis)
        // and features computed offline can be joined to the rows; the dump's own columns stay as the scripts read them.
        String dumpTo = System.getProperty("bench.dumpFeatures");
        java.io.PrintWriter dump = dumpTo == null ? null : new java.io.PrintWriter(Files.newBufferedWriter(Path.of(dumpTo)));
        java.io.PrintWriter dumpMessages = dumpTo == null ? null
            : new java.io.PrintWriter(Files.newBufferedWriter(Path.of(dumpTo + ".messages")));
        List<Scored> scored = new ArrayList<>();
        long started = System.nanoTime();
        long evaluateNanos = 0;
        int chunk = 2000;
        for (int from = 0; from < events.size(); from += chunk) {
            List<Event> batch = events.subList(from, Math.min(events.size(), from + chunk));
            MailContent[] parsed = batch.parallelStream().map(e -> parse(parser, e.file()))
                .toArray(MailContent[]::new);
            for (int i = 0; i < batch.size(); i++) {
                Event e = batch.get(i);
                MailContent content = parsed[i];
                if (e.incoming()) {
                    IncomingMail mail = new IncomingMail(e.user().primary(), Optional.empty(), SessionFacts.none(),
                        content, e.at());
                    if (e.label().equals("important") || e.label().equals("normal")) {
                        long t0 = System.nanoTime();
                        double score = model.logOdds(mail);
                        evaluateNanos += System.nanoTime() - t0;
                        scored.add(new Scored(e.user().name(), score, e.label().equals("important")));
                        if (dump != null) {
                            dump.println(e.user().name() + "\t" + (e.label().equals("important") ? 1 : 0) + "\t"
                                + score + "\t" + String.join("\t", model.startingFeatures(mail)));
                            dumpMessages.println(e.user().name() + "\t" + e.seq() + "\t" + root.relativize(e.file()));
                        }
                    }
                    model.recordReceived(mail);
                } else {
                    List<String> recipients = new ArrayList<>();
                    for (String header : new String[] {"To", "Cc", "Bcc"}) {
                        for (MailAddress a : content.addresses(header)) {
                            recipients.add(a.address());
                        }
                    }
                    model.learnSent(new SentMail(e.user().primary(), content, recipients, e.at()));
                }
            }
        }
        if (dump != null) {
            dump.close();
            dumpMessages.close();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        report(root, which, selected.size(), events.size(), problems.size(), scored, settings, seconds,
            evaluateNanos / 1e6 / Math.max(1, scored.size()), state.weightCount());
    }

    private static MailContent parse(MailParser parser, Path file) {
        try {
            return parser.parse(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void report(Path root, String which, int users, int events, int skipped, List<Scored> scored,
                               ImportanceModel.Settings settings, double seconds, double evaluateMs, int weights) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("corpus", root);
        out.put("users_replayed", users + (which.equals("all") ? "" : " (" + which + ")"));
        out.put("events", events);
        out.put("rows_skipped", skipped);
        out.put("scored", scored.size());
        long positives = scored.stream().filter(Scored::important).count();
        out.put("important", positives);
        out.put("settings", String.format(Locale.ROOT, "learningRate=%s l2=%s threshold=%s prior=%s perUserScale=%s initialAccumulator=%s",
            settings.learningRate(), settings.l2(), settings.threshold(), settings.prior(), settings.perUserScale(),
            settings.initialAccumulator()));
        out.put("auc_pooled", f(auc(scored)));
        Map<String, List<Scored>> byUser = new HashMap<>();
        scored.forEach(s -> byUser.computeIfAbsent(s.user(), k -> new ArrayList<>()).add(s));
        double sum = 0;
        int counted = 0;
        for (List<Scored> list : byUser.values()) {
            long pos = list.stream().filter(Scored::important).count();
            if (pos > 0 && pos < list.size()) {
                sum += auc(list);
                counted++;
            }
        }
        out.put("auc_mean_per_user", f(counted == 0 ? Double.NaN : sum / counted));
        out.put("auc_users", counted);
        long tp = scored.stream().filter(s -> s.score() > 0 && s.important()).count();
        long predicted = scored.stream().filter(s -> s.score() > 0).count();
        double precision = predicted == 0 ? 0 : (double) tp / predicted;
        double recall = positives == 0 ? 0 : (double) tp / positives;
        out.put("precision", f(precision));
        out.put("recall", f(recall));
        out.put("f1", f(precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)));
        out.put("priority_share", f((double) predicted / Math.max(1, scored.size())));
        out.put("precision_at_recall_50", f(precisionAtRecall(scored, 0.5)));
        out.put("precision_at_recall_70", f(precisionAtRecall(scored, 0.7)));
        double[] best = bestF1(scored);
        out.put("diagnostic_best_f1", f(best[0]));
        out.put("diagnostic_best_f1_at_logodds", f(best[1]));
        out.put("seconds", f(seconds));
        out.put("evaluate_ms_mean", String.format(Locale.ROOT, "%.3f", evaluateMs));
        out.put("weights_stored", weights);
        out.forEach((k, v) -> System.out.println(k + "=" + v));
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** ROC AUC by ranks (ties share the average rank). */
    static double auc(List<Scored> scored) {
        List<Scored> sorted = new ArrayList<>(scored);
        sorted.sort(Comparator.comparingDouble(Scored::score));
        double rankSum = 0;
        long pos = 0;
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j < sorted.size() && sorted.get(j).score() == sorted.get(i).score()) {
                j++;
            }
            double rank = (i + 1 + j) / 2.0;
            for (int k = i; k < j; k++) {
                if (sorted.get(k).important()) {
                    rankSum += rank;
                    pos++;
                }
            }
            i = j;
        }
        long neg = sorted.size() - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    private static double precisionAtRecall(List<Scored> scored, double target) {
        List<Scored> sorted = new ArrayList<>(scored);
        sorted.sort(Comparator.comparingDouble(Scored::score).reversed());
        long positives = scored.stream().filter(Scored::important).count();
        long tp = 0;
        for (int k = 0; k < sorted.size(); k++) {
            if (sorted.get(k).important()) {
                tp++;
            }
            if (tp >= target * positives) {
                return (double) tp / (k + 1);
            }
        }
        return 0;
    }

    private static double[] bestF1(List<Scored> scored) {
        List<Scored> sorted = new ArrayList<>(scored);
        sorted.sort(Comparator.comparingDouble(Scored::score).reversed());
        long positives = scored.stream().filter(Scored::important).count();
        double best = 0;
        double at = 0;
        long tp = 0;
        for (int k = 0; k < sorted.size(); k++) {
            if (sorted.get(k).important()) {
                tp++;
            }
            double p = (double) tp / (k + 1);
            double r = (double) tp / positives;
            double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
            if (f1 > best) {
                best = f1;
                at = sorted.get(k).score();
            }
        }
        return new double[] {best, at};
    }
}
