package org.mailroom.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.message.MailParser;
import org.mailroom.sorter.spam.BulkTraining;
import org.mailroom.sorter.spam.InMemoryTokenStore;
import org.mailroom.sorter.spam.SpamFilter;
import org.mailroom.sorter.spam.SpamModelSettings;
import org.mailroom.sorter.spam.TokenStore;

/**
 * Spam quality on the SpamAssassin evaluation corpus: trains the real {@link SpamFilter} (in-memory store) on the
 * dev split with the admin command's {@link BulkTraining}, then reports on the holdout split spam recall and ham
 * false-positive rate at the operating threshold (log-odds 0), recall at ≤ 0.1% ham FP, ROC AUC and time per
 * message. {@code --cv K} instead cross-validates on dev only (for tuning; never touches holdout).
 *
 * <p>Arguments: {@code CORPUS_ROOT [--cv K]} where CORPUS_ROOT holds {@code spamassassin/dev.tsv}. Tuning knobs as
 * system properties: {@code spam.rate}, {@code spam.offset}, {@code spam.margin}, {@code spam.passes},
 * {@code spam.bayes}, {@code spam.hamWeight}, {@code spam.header}; {@code spam.seed} the training order's shuffle,
 * {@code spam.orders} how many orders {@link BulkTraining} averages; {@code spam.seeds} one model per seed (CV);
 * {@code spam.dump} each held-out message's opinions, {@code spam.dumpTokens} every message's features (CV).
 */
public final class SpamQualityBenchmark {

    record Labelled(String path, MailContent content, boolean spam) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: SpamQualityBenchmark CORPUS_ROOT [--cv K]");
            System.exit(2);
        }
        Path root = Path.of(args[0]).resolve("spamassassin");
        int folds = args.length >= 3 && args[1].equals("--cv") ? Integer.parseInt(args[2]) : 0;
        SpamModelSettings defaults = SpamModelSettings.defaults();
        SpamModelSettings settings = defaults
            .withLearningRate(Double.parseDouble(System.getProperty("spam.rate", "" + defaults.learningRate())))
            .withDecisionOffset(Double.parseDouble(System.getProperty("spam.offset", "" + defaults.decisionOffset())))
            .withReinforceMargin(Double.parseDouble(System.getProperty("spam.margin",
                "" + defaults.reinforceMargin())))
            .withBayesWeight(Double.parseDouble(System.getProperty("spam.bayes", "" + defaults.bayesWeight())))
            .withHamWeight(Double.parseDouble(System.getProperty("spam.hamWeight", "" + defaults.hamWeight())))
            .withHeaderWeight(Double.parseDouble(System.getProperty("spam.header", "" + defaults.headerWeight())));
        int passes = Integer.parseInt(System.getProperty("spam.passes", "" + BulkTraining.DEFAULT_PASSES));
        System.out.printf(Locale.ROOT, "settings: %s, passes %d, shuffle seed %d, orders %d%n", settings, passes, SEED,
            ORDERS);

        List<Labelled> dev = load(root, "dev.tsv");
        if (folds > 1) {
            SpamTokenDump tokenDump = TOKEN_DUMP_FILE == null ? null : new SpamTokenDump(dev, folds, settings);
            // The folds are independent (each its own filter and store, the same fixed shuffle), so they run on
            // threads of their own: the figures are those of running them one after the other.
            List<CompletableFuture<Run>> runs = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(folds);
            for (int fold = 0; fold < folds; fold++) {
                List<Labelled> train = new ArrayList<>();
                List<Labelled> test = new ArrayList<>();
                for (int i = 0; i < dev.size(); i++) {
                    (i % folds == fold ? test : train).add(dev.get(i));
                }
                final int f = fold;
                runs.add(CompletableFuture.supplyAsync(
                    () -> SEEDS.length > 0 ? multiRun(train, test, settings, passes)
                        : run(train, test, settings, passes, false, f, tokenDump), pool));
            }
            List<double[]> scored = new ArrayList<>();
            try {
                runs.forEach(r -> scored.addAll(r.join().scores));
            } finally {
                pool.shutdownNow();
            }
            if (SEEDS.length == 0) {
                report("dev " + folds + "-fold CV", scored, null);
            }
            multiSeedReport(settings);
            printMisses();
            sweep(settings);
            dump();
            if (tokenDump != null) {
                tokenDump.write(Path.of(TOKEN_DUMP_FILE));
            }
        } else {
            List<Labelled> holdout = load(root, "holdout.tsv");
            Run run = run(dev, holdout, settings, passes, true, -1, null);
            report("holdout (trained on dev)", run.scores, run);
        }
    }

    /** {@code -Dspam.seed=N}: the training order's seed (one order's luck moves the figures by a few spam). */
    private static final long SEED = Long.getLong("spam.seed", BulkTraining.DEFAULT_SEED);

    /** {@code -Dspam.orders=K}: training orders {@link BulkTraining} averages. */
    private static final int ORDERS = Integer.getInteger("spam.orders", BulkTraining.DEFAULT_ORDERS);

    /** {@code -Dspam.misses=N}: list the N lowest-scoring spam and highest-scoring ham with their reasons. */
    private static final int MISSES = Integer.getInteger("spam.misses", 0);
    private static final List<Explained> EXPLAINED = Collections.synchronizedList(new ArrayList<>());

    record Explained(double score, boolean spam, String path, String subject, String why) {
    }

    private static void printMisses() {
        if (MISSES <= 0) {
            return;
        }
        List<Explained> spam = EXPLAINED.stream().filter(Explained::spam)
            .sorted(java.util.Comparator.comparingDouble(Explained::score)).limit(MISSES).toList();
        List<Explained> ham = EXPLAINED.stream().filter(e -> !e.spam())
            .sorted(java.util.Comparator.comparingDouble(Explained::score).reversed()).limit(MISSES).toList();
        System.out.println("-- lowest-scoring spam:");
        spam.forEach(e -> System.out.printf(Locale.ROOT, "%+.2f %s \"%s\"%s%n", e.score(), e.path(), e.subject(),
            e.why()));
        System.out.println("-- highest-scoring ham:");
        ham.forEach(e -> System.out.printf(Locale.ROOT, "%+.2f %s \"%s\"%s%n", e.score(), e.path(), e.subject(),
            e.why()));
    }

    /**
     * {@code -Dspam.sweep=true}: also report, from the same training, the regression plus w × the header model for
     * several w (Bayes at its setting), and plus w × naive Bayes for several w (header model at its setting).
     */
    private static final boolean SWEEP = Boolean.getBoolean("spam.sweep");
    private static final List<double[]> EVIDENCE = Collections.synchronizedList(new ArrayList<>());

    /**
     * {@code -Dspam.dump=FILE} (CV only): write each held-out message's opinions, one tab-separated line each (path,
     * 1 for spam, the regression's, naive Bayes' and the header model's log-odds, the summed score), so that other
     * combinations of the same training can be studied offline without training again.
     */
    private static final String DUMP_FILE = System.getProperty("spam.dump");
    private static final List<String> DUMP = Collections.synchronizedList(new ArrayList<>());

    /** {@code -Dspam.dumpTokens=FILE} (CV only): every dev message's features, per fold ({@link SpamTokenDump}). */
    private static final String TOKEN_DUMP_FILE = System.getProperty("spam.dumpTokens");

    private static void dump() {
        if (DUMP_FILE == null) {
            return;
        }
        List<String> lines = new ArrayList<>();
        lines.add("path\tspam\tregression\tbayes\theaders\tscore");
        lines.addAll(DUMP);
        try {
            java.nio.file.Files.write(java.nio.file.Path.of(DUMP_FILE), lines);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void sweep(SpamModelSettings settings) {
        if (!SWEEP) {
            return;
        }
        for (double h : new double[] {0, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7, 1}) {
            sweepLine("header weight " + h, e -> e[0] + settings.bayesWeight() * e[1] + h * e[3]);
        }
        sweepLine("bayes alone", e -> e[1]);
        for (double w : new double[] {0, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2}) {
            sweepLine("bayes weight " + w, e -> e[0] + w * e[1] + settings.headerWeight() * e[3]);
        }
    }

    /** Recall at <= 0.1% FP and AUC of one combination of the evidence (regression, Bayes, label, header model). */
    private static void sweepLine(String label, java.util.function.ToDoubleFunction<double[]> combination) {
        double[] ham = EVIDENCE.stream().filter(e -> e[2] == 0).mapToDouble(combination).sorted().toArray();
        double[] spam = EVIDENCE.stream().filter(e -> e[2] == 1).mapToDouble(combination).toArray();
        int allowed = (int) Math.floor(ham.length * 0.001);
        double threshold = ham[ham.length - 1 - allowed];
        long caught = Arrays.stream(spam).filter(v -> v > threshold).count();
        System.out.printf(Locale.ROOT, "sweep %s: recall at <= 0.1%% FP %.2f%% (%d), AUC %.6f%n", label,
            100.0 * caught / spam.length, caught, auc(spam, ham));
    }

    /** {@code -Dspam.seeds=a,b,...}: also train one model per seed per fold and report averaged orders. */
    private static final long[] SEEDS = System.getProperty("spam.seeds") == null ? new long[0]
        : Arrays.stream(System.getProperty("spam.seeds").split(",")).mapToLong(x -> x.equals("default")
            ? BulkTraining.DEFAULT_SEED : Long.parseLong(x)).toArray();
    private static final List<double[]> MULTI = Collections.synchronizedList(new ArrayList<>());

    private static Run multiRun(List<Labelled> train, List<Labelled> test, SpamModelSettings settings, int passes) {
        multiSeed(train, test, settings, passes);
        List<double[]> scores = new ArrayList<>();
        for (Labelled l : test) {
            scores.add(new double[] {0, l.spam ? 1 : 0});
        }
        return new Run(scores, 0, new long[0], train.size());
    }

    private static void multiSeed(List<Labelled> train, List<Labelled> test, SpamModelSettings settings, int passes) {
        if (SEEDS.length == 0) {
            return;
        }
        double[][] rows = new double[test.size()][1 + 3 * SEEDS.length];
        for (int s = 0; s < SEEDS.length; s++) {
            SpamFilter filter = new SpamFilter(new InMemoryTokenStore(), settings);
            List<BulkTraining.Example> examples = new ArrayList<>();
            for (Labelled l : train) {
                examples.add(new BulkTraining.Example(l.path, l.content, l.spam));
            }
            new BulkTraining(filter, passes, SEEDS[s], ORDERS).train(TokenStore.GLOBAL, examples);
            for (int i = 0; i < test.size(); i++) {
                SpamFilter.Evidence e = filter.evidence("bench@example.test", test.get(i).content, SessionFacts.none())
                    .orElseThrow();
                rows[i][0] = test.get(i).spam ? 1 : 0;
                rows[i][1 + 3 * s] = e.regression();
                rows[i][2 + 3 * s] = e.bayes();
                rows[i][3 + 3 * s] = e.headers();
            }
        }
        MULTI.addAll(Arrays.asList(rows));
    }

    private static void multiSeedReport(SpamModelSettings settings) {
        if (SEEDS.length == 0) {
            return;
        }
        int n = SEEDS.length;
        for (int size : new int[] {1, 2, 3, 5, n}) {
            if (size > n) {
                continue;
            }
            double sumCaught = 0;
            double sumAuc = 0;
            int groups = 0;
            int minC = Integer.MAX_VALUE;
            int maxC = 0;
            for (int mask = 1; mask < (1 << n); mask++) {
                if (Integer.bitCount(mask) != size) {
                    continue;
                }
                final int m = mask;
                double[] r = recallAndAuc(e -> {
                    double reg = 0, bay = 0, hdr = 0;
                    for (int s = 0; s < n; s++) {
                        if ((m & (1 << s)) != 0) {
                            reg += e[1 + 3 * s];
                            bay += e[2 + 3 * s];
                            hdr += e[3 + 3 * s];
                        }
                    }
                    return (reg + settings.bayesWeight() * bay + settings.headerWeight() * hdr) / size;
                });
                System.out.printf(Locale.ROOT, "orders %s: recall at <= 0.1%% FP %d, AUC %.6f%n",
                    Integer.toBinaryString(mask), (int) r[0], r[1]);
                sumCaught += r[0];
                sumAuc += r[1];
                minC = Math.min(minC, (int) r[0]);
                maxC = Math.max(maxC, (int) r[0]);
                groups++;
            }
            System.out.printf(Locale.ROOT, "== %d orders averaged, %d groups: mean recall at <= 0.1%% FP %.1f (%d-%d),"
                + " mean AUC %.6f%n", size, groups, sumCaught / groups, minC, maxC, sumAuc / groups);
        }
    }

    private static double[] recallAndAuc(java.util.function.ToDoubleFunction<double[]> combination) {
        double[] ham = MULTI.stream().filter(e -> e[0] == 0).mapToDouble(combination).sorted().toArray();
        double[] spam = MULTI.stream().filter(e -> e[0] == 1).mapToDouble(combination).toArray();
        int allowed = (int) Math.floor(ham.length * 0.001);
        double threshold = ham[ham.length - 1 - allowed];
        long caught = Arrays.stream(spam).filter(v -> v > threshold).count();
        return new double[] {caught, auc(spam, ham)};
    }

    record Run(List<double[]> scores, long trainNanos, long[] classifyNanos, int trained) {
    }

    private static Run run(List<Labelled> train, List<Labelled> test, SpamModelSettings settings, int passes,
                           boolean timeFiftyKilobytes, int fold, SpamTokenDump tokenDump) {
        SpamFilter filter = new SpamFilter(new InMemoryTokenStore(), settings);
        List<BulkTraining.Example> examples = new ArrayList<>();
        for (Labelled l : train) {
            examples.add(new BulkTraining.Example(l.path, l.content, l.spam));
        }
        long start = System.nanoTime();
        new BulkTraining(filter, passes, SEED, ORDERS).train(TokenStore.GLOBAL, examples);
        long trainNanos = System.nanoTime() - start;
        if (tokenDump != null) {
            tokenDump.histories(fold, filter, train, test);
        }
        List<double[]> scores = new ArrayList<>();
        long[] nanos = new long[test.size()];
        // Warm-up so the timing reflects a running server, not the JIT.
        for (int i = 0; i < Math.min(200, test.size()); i++) {
            filter.evaluate(new org.mailroom.sorter.IncomingMail("bench@example.test", java.util.Optional.empty(),
                SessionFacts.none(), test.get(i).content, java.time.Instant.EPOCH));
        }
        for (int i = 0; i < test.size(); i++) {
            Labelled l = test.get(i);
            long t0 = System.nanoTime();
            List<org.mailroom.sorter.Score> parts = filter.evaluate(new org.mailroom.sorter.IncomingMail(
                "bench@example.test", java.util.Optional.empty(), SessionFacts.none(), l.content,
                java.time.Instant.EPOCH));
            double score = parts.stream().mapToDouble(org.mailroom.sorter.Score::value).sum();
            nanos[i] = System.nanoTime() - t0;
            if (MISSES > 0) {
                StringBuilder why = new StringBuilder();
                parts.stream().sorted((a, b) -> Double.compare(Math.abs(b.value()), Math.abs(a.value()))).limit(4)
                    .forEach(p -> why.append(String.format(Locale.ROOT, " [%s %+.2f %s]", p.signal(), p.value(),
                        p.reason())));
                EXPLAINED.add(new Explained(score, l.spam, l.path, l.content.subject(), why.toString()));
            }
            scores.add(new double[] {score, l.spam ? 1 : 0});
            if (SWEEP || DUMP_FILE != null) {
                filter.evidence("bench@example.test", l.content, SessionFacts.none()).ifPresent(e -> {
                    EVIDENCE.add(new double[] {e.regression(), e.bayes(), l.spam ? 1 : 0, e.headers()});
                    DUMP.add(String.format(Locale.ROOT, "%s\t%d\t%.6f\t%.6f\t%.6f\t%.6f", l.path, l.spam ? 1 : 0,
                        e.regression(), e.bayes(), e.headers(), score));
                });
            }
            if (Boolean.getBoolean("spam.debug") && !l.spam && score > 0) {
                System.out.printf(Locale.ROOT, "ham above 0: %.2f %s%n", score, l.path);
            }
        }
        if (timeFiftyKilobytes) {
            fiftyKilobytes(filter, test);
        }
        return new Run(scores, trainNanos, nanos, train.size());
    }

    /**
     * Classification time of a 50 KB message without attachments (the Sorter's speed goal): the text of test
     * messages concatenated under real headers to 50 KB, parsed once, classified 5,000 times after a warm-up.
     */
    private static void fiftyKilobytes(SpamFilter filter, List<Labelled> test) {
        if (test.size() < 100) {
            return;
        }
        StringBuilder body = new StringBuilder();
        for (int i = 0; body.length() < 50_000; i = (i + 1) % test.size()) {
            body.append(test.get(i).content.text()).append('\n');
        }
        String raw = "From: Someone <someone@example.org>\r\nTo: bench@example.test\r\nSubject: A long letter\r\n"
            + "Date: Mon, 2 Mar 2026 10:00:00 +0000\r\nMessage-ID: <fifty@example.org>\r\n\r\n"
            + body.substring(0, 50_000).replace("\n", "\r\n");
        MailContent content = new MailParser().parse(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        org.mailroom.sorter.IncomingMail mail = new org.mailroom.sorter.IncomingMail("bench@example.test",
            java.util.Optional.empty(), SessionFacts.none(), content, java.time.Instant.EPOCH);
        for (int i = 0; i < 2_000; i++) {
            filter.evaluate(mail);
        }
        long[] nanos = new long[5_000];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < nanos.length; i++) {
            long t0 = System.nanoTime();
            filter.evaluate(mail);
            nanos[i] = System.nanoTime() - t0;
        }
        // CPU time per classification is what a loaded machine cannot inflate (wall-clock figures it can).
        System.out.printf(Locale.ROOT, "50 KB message, classification CPU time: mean %.3f ms per message%n",
            (threads.getCurrentThreadCpuTime() - cpu0) / 1e6 / nanos.length);
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "50 KB message (%d bytes, parsed), classification: median %.3f ms, p99 %.3f ms"
                + " (5000 runs, in-memory store; load average %.1f)%n", raw.length(), nanos[nanos.length / 2] / 1e6,
            nanos[(int) (nanos.length * 0.99)] / 1e6,
            java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static void report(String title, List<double[]> scores, Run run) {
        int spam = 0;
        int ham = 0;
        int tp = 0;
        int fp = 0;
        for (double[] s : scores) {
            if (s[1] == 1) {
                spam++;
                tp += s[0] > 0 ? 1 : 0;
            } else {
                ham++;
                fp += s[0] > 0 ? 1 : 0;
            }
        }
        double[] hamScores = scores.stream().filter(s -> s[1] == 0).mapToDouble(s -> s[0]).sorted().toArray();
        double[] spamScores = scores.stream().filter(s -> s[1] == 1).mapToDouble(s -> s[0]).toArray();
        int allowedFp = (int) Math.floor(ham * 0.001);
        // The lowest threshold that lets through at most allowedFp ham: spam must score above it.
        double threshold = hamScores[hamScores.length - 1 - allowedFp];
        long caught = Arrays.stream(spamScores).filter(s -> s > threshold).count();
        System.out.printf(Locale.ROOT, "== %s: %d spam, %d ham%n", title, spam, ham);
        System.out.printf(Locale.ROOT, "operating threshold (log-odds 0): spam recall %.2f%% (%d/%d), ham FP %.2f%%"
            + " (%d/%d)%n", 100.0 * tp / spam, tp, spam, 100.0 * fp / ham, fp, ham);
        System.out.printf(Locale.ROOT, "recall at <= 0.1%% ham FP (<= %d ham): %.2f%% (%d/%d), threshold %.3f%n",
            allowedFp, 100.0 * caught / spam, caught, spam, threshold);
        System.out.printf(Locale.ROOT, "ROC AUC: %.6f%n", auc(spamScores, hamScores));
        StringBuilder shifted = new StringBuilder("if the threshold were moved (log-odds: recall/FP):");
        for (double t = -1; t <= 4; t += 0.5) {
            final double at = t;
            long r = Arrays.stream(spamScores).filter(v -> v > at).count();
            long f = Arrays.stream(hamScores).filter(v -> v > at).count();
            shifted.append(String.format(Locale.ROOT, " %+.1f: %.2f%%/%.2f%%", t, 100.0 * r / spam, 100.0 * f / ham));
        }
        System.out.println(shifted);
        if (run != null) {
            long[] sorted = run.classifyNanos.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "training: %d messages in %.1f s; classification per message (parsed):"
                    + " median %.3f ms, p99 %.3f ms, max %.3f ms%n", run.trained, run.trainNanos / 1e9,
                sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6,
                sorted[sorted.length - 1] / 1e6);
        }
    }

    private static double auc(double[] spam, double[] ham) {
        double wins = 0;
        for (double s : spam) {
            for (double h : ham) {
                wins += s > h ? 1 : s == h ? 0.5 : 0;
            }
        }
        return wins / ((double) spam.length * ham.length);
    }

    private static List<Labelled> load(Path root, String split) throws IOException {
        MailParser parser = new MailParser();
        List<Labelled> out = new ArrayList<>();
        // Forgiving where another export of the layout could differ (line endings, bytes that are not UTF-8, blank
        // lines, the label's case); a row that cannot be read is named and skipped, never fatal to the run.
        List<String> lines = new String(Files.readAllBytes(root.resolve(split)), StandardCharsets.UTF_8).lines().toList();
        List<String> header = Arrays.asList(lines.get(0).replace("\uFEFF", "").split("\t"));
        int pathColumn = header.indexOf("path");
        int labelColumn = header.indexOf("label");
        if (pathColumn < 0 || labelColumn < 0) {
            throw new IOException(root.resolve(split) + ":1: the header names no 'path' or no 'label' column");
        }
        int skipped = 0;
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] cols = lines.get(i).split("\t", -1);
            Path file = cols.length > Math.max(pathColumn, labelColumn) ? root.resolve(cols[pathColumn].strip()) : null;
            if (file == null || !Files.isRegularFile(file)) {
                if (skipped++ < 20) {
                    System.err.println("skipped: " + root.resolve(split) + ":" + (i + 1) + ": "
                        + (file == null ? "too few columns" : file + " is missing"));
                }
                continue;
            }
            String label = cols[labelColumn].strip().toLowerCase(Locale.ROOT);
            out.add(new Labelled(cols[pathColumn].strip(), parser.parse(Files.readAllBytes(file)), label.equals("spam")));
        }
        if (skipped > 0) {
            System.err.println("skipped: " + skipped + " rows of " + root.resolve(split));
        }
        return out;
    }
}
