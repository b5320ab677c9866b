package org.mailroom.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.mailroom.sorter.Category;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.Signal;
import org.mailroom.sorter.Sorter;
import org.mailroom.sorter.attachment.AttachmentInspector;
import org.mailroom.sorter.attachment.DisguisedAttachment;
import org.mailroom.sorter.attachment.ExecutableAttachment;
import org.mailroom.sorter.attachment.UninspectableAttachment;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.importance.ImportanceModel;
import org.mailroom.sorter.importance.InMemoryImportanceState;
import org.mailroom.sorter.message.MailParser;
import org.mailroom.sorter.spam.BulkTraining;
import org.mailroom.sorter.spam.InMemoryTokenStore;
import org.mailroom.sorter.spam.SpamFilter;
import org.mailroom.sorter.spam.TokenStore;
import org.mailroom.sorter.spam.signals.DnsblListing;
import org.mailroom.sorter.rules.Rule;
import org.mailroom.sorter.rules.RuleParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * How long the sorter takes for one 50 KB message without attachments (multipart/alternative, plain text and HTML
 * with links, realistic headers), with every signal the server runs and a dozen user rules: {@code parseAndSort}
 * is what delivery does per message (parse once, sort), {@code sortParsed} the per-recipient part alone. Sample
 * mode, so JMH prints percentiles; the goal is p99 at most 2 ms.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SorterSpeedBenchmark {

    /**
     * The signals the composition root (dist {@code Mailroom.signals}) runs, kept in step with it by hand; the
     * learned models over their in-memory state (the server's are JDBC-backed).
     */
    static List<Signal> signals(SpamFilter spam) {
        return List.of(new ExecutableAttachment(), new DisguisedAttachment(), new UninspectableAttachment(),
            new DnsblListing(), spam, new ImportanceModel(new InMemoryImportanceState()));
    }

    /**
     * The spam model as a server scores with it: trained (a server's model is, by {@code admin spam train} and its
     * users' verdicts; an untrained one has no weights or counts, so the naive-Bayes term and the reason's token
     * names cost nothing). Trained with the admin command's {@link BulkTraining} on the SpamAssassin dev split
     * under {@code -Dbench.spam.corpus=DIR} (a folder holding {@code spamassassin/dev.tsv}; run-sorter-speed.sh
     * unpacks it and sets it); without it the model stays untrained and a warning says so.
     */
    static SpamFilter spamFilter() throws java.io.IOException {
        SpamFilter filter = new SpamFilter(new InMemoryTokenStore());
        String corpus = System.getProperty("bench.spam.corpus");
        if (corpus == null || !java.nio.file.Files.isRegularFile(java.nio.file.Path.of(corpus, "spamassassin", "dev.tsv"))) {
            System.err.println("SorterSpeedBenchmark: no -Dbench.spam.corpus (spamassassin/dev.tsv): the spam model"
                + " is UNTRAINED, which a server's is not");
            return filter;
        }
        java.nio.file.Path root = java.nio.file.Path.of(corpus, "spamassassin");
        MailParser parser = new MailParser();
        List<String> lines = java.nio.file.Files.readAllLines(root.resolve("dev.tsv"));
        List<String> header = List.of(lines.get(0).split("\t"));
        int path = header.indexOf("path");
        int label = header.indexOf("label");
        List<BulkTraining.Example> examples = new java.util.ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cols = line.split("\t", -1);
            examples.add(new BulkTraining.Example(cols[path],
                parser.parse(java.nio.file.Files.readAllBytes(root.resolve(cols[path]))), cols[label].equals("spam")));
        }
        long start = System.nanoTime();
        BulkTraining.Result result = new BulkTraining(filter).train(TokenStore.GLOBAL, examples);
        System.err.printf(java.util.Locale.ROOT, "SorterSpeedBenchmark: spam model trained on %d dev messages"
            + " (%d spam) in %.1f s%n", result.messages(), result.spam(), (System.nanoTime() - start) / 1e9);
        return filter;
    }

    /** Parsed once: parsing the date per operation would be measured as the sorter's time. */
    private static final Instant RECEIVED_AT = Instant.parse("2026-11-28T12:00:00Z");

    private byte[] raw;
    private MailContent parsed;
    private Sorter sorter;
    private AttachmentInspector inspector;
    private final MailParser parser = new MailParser();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        raw = message(50 * 1024);
        List<Rule> rules = new RuleParser().parseFile("bench-rules", List.of(
            "if from domain \"bank.example\" and subject contains \"statement\" then priority",
            "if list-id contains \"announce\" then fileinto \"Lists\"",
            "if header \"X-Spam-Flag\" is \"YES\" then spam",
            "if dnsbl listed and spf is fail then spam",
            "if attachment name matches \"\\\\.(exe|scr|js)$\" then spam",
            "if any(from is \"boss@example.org\", subject matches \"^urgent\\\\b\") then priority",
            "if size > 20M then fileinto \"Large\"",
            "if from domain \"newsletters.example\" then fileinto \"Newsletters\"",
            "if to domain \"partner.example\" or cc domain \"partner.example\" then keyword $Partner",
            "if subject contains \"invoice\" and not from domain \"supplier.example\" then keyword $Check",
            "if mailfrom is \"\" then keyword $Bounce",
            "if header \"Precedence\" is bulk then keyword $Bulk"));
        inspector = new AttachmentInspector(AttachmentInspector.Limits.defaults());
        sorter = new Sorter(user -> rules, signals(spamFilter()), inspector);
        parsed = parser.parse(raw);
        if (parsed.size() < 50 * 1024 || sortParsed() == null) {
            throw new IllegalStateException("benchmark message not as intended");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        inspector.close();
    }

    @Benchmark
    public Category parseAndSort() {
        return sorter.sort(mail(parser.parse(raw))).category();
    }

    @Benchmark
    public Category sortParsed() {
        return sorter.sort(mail(parsed)).category();
    }

    private static IncomingMail mail(MailContent content) {
        return new IncomingMail("alice@example.org", Optional.of("news@shop.example"),
            new SessionFacts(Optional.of("203.0.113.9"), Optional.of("mx.shop.example"), true, false, List.of(),
                Optional.of("pass")), content, RECEIVED_AT);
    }

    /** A newsletter-like message of about {@code size} bytes: half plain text, half HTML with links. */
    static byte[] message(int size) {
        StringBuilder text = new StringBuilder();
        StringBuilder html = new StringBuilder("<html><body><table>");
        String[] words = {"order", "shipping", "offer", "account", "meeting", "report", "quarter", "delivery",
            "customer", "invoice", "weekend", "discount", "project", "schedule", "update", "thanks"};
        int i = 0;
        while (text.length() + html.length() < size) {
            StringBuilder line = new StringBuilder();
            for (int w = 0; w < 12; w++) {
                line.append(words[(i * 7 + w * 3) % words.length]).append(i % 13 == 0 ? ", " : " ");
            }
            text.append(line).append("\r\n");
            html.append("<tr><td><p>").append(line).append("<a href=\"https://shop.example/p/").append(i)
                .append("?utm=news\">see item ").append(i).append("</a></p></td></tr>\r\n");
            i++;
        }
        html.append("</table></body></html>\r\n");
        String message = "Return-Path: <news@shop.example>\r\n"
            + "Received: from mx.shop.example (mx.shop.example [203.0.113.9])\r\n\tby mx.example.org (Mailroom) "
            + "with ESMTPS id 1234\r\n\tfor <alice@example.org>; Sat, 28 Nov 2026 12:00:00 +0000\r\n"
            + "From: \"Shop News\" <news@shop.example>\r\nTo: alice@example.org\r\n"
            + "Subject: =?UTF-8?Q?Your_weekly_offers_=E2=80=93_up_to_50=25_off?=\r\n"
            + "Date: Sat, 28 Nov 2026 12:00:00 +0000\r\nMessage-ID: <weekly-2026-48@shop.example>\r\n"
            + "List-Id: Shop news <news.shop.example>\r\nList-Unsubscribe: <https://shop.example/u>\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n"
            + "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text
            + "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html + "--alt--\r\n";
        return message.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * CPU time per operation, measured on the calling thread ({@code ThreadMXBean}): unlike wall-clock percentiles
     * it leaves out time spent waiting for a CPU, so it stays comparable on a loaded machine. Prints
     * {@code cpu_<phase>_{mean,p50,p99}_us=} lines for parse alone, sort of a parsed message, and both, the bytes
     * each allocates per operation ({@code alloc_<phase>_kb_per_op=}), and the share of operations during which a
     * collection ran ({@code gc_<phase>_ops_with_collection_pct=}, with the collections per 1,000 operations): a
     * pause lands in the operation that was running, so above 1 % the p99 of wall-clock time is a GC pause.
     */
    static void cpuTimes(int warmUp, int measured) throws Exception {
        com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        SorterSpeedBenchmark bench = new SorterSpeedBenchmark();
        bench.setUp();
        try {
            String[] phases = {"parse", "sortParsed", "parseAndSort"};
            for (String phase : phases) {
                long[] times = new long[measured];
                long allocated = 0;
                int opsWithCollection = 0;
                long collectionsBefore = 0;
                for (int i = -warmUp; i < measured; i++) {
                    if (i == 0) {
                        collectionsBefore = collections();
                    }
                    long startCollections = i >= 0 ? collections() : 0;
                    long startBytes = threads.getCurrentThreadAllocatedBytes();
                    long start = threads.getCurrentThreadCpuTime();
                    Object result = switch (phase) {
                        case "parse" -> bench.parser.parse(bench.raw);
                        case "sortParsed" -> bench.sortParsed();
                        default -> bench.parseAndSort();
                    };
                    long spent = threads.getCurrentThreadCpuTime() - start;
                    long bytes = threads.getCurrentThreadAllocatedBytes() - startBytes;
                    if (result == null) {
                        throw new IllegalStateException("no result");
                    }
                    if (i >= 0) {
                        times[i] = spent;
                        allocated += bytes;
                        if (collections() != startCollections) {
                            opsWithCollection++;
                        }
                    }
                }
                long collected = collections() - collectionsBefore;
                java.util.Arrays.sort(times);
                double mean = java.util.Arrays.stream(times).average().orElse(0);
                System.out.printf(java.util.Locale.ROOT, "cpu_%s_mean_us=%.1f%ncpu_%s_p50_us=%.1f%ncpu_%s_p99_us=%.1f%n",
                    phase, mean / 1000, phase, times[measured / 2] / 1000.0, phase,
                    times[(int) Math.min(measured - 1, Math.ceil(measured * 0.99) - 1)] / 1000.0);
                // Allocation drives young collections, and a collection landing in an operation is what its p99 sees.
                System.out.printf(java.util.Locale.ROOT, "alloc_%s_kb_per_op=%.1f%n", phase,
                    allocated / 1024.0 / measured);
                System.out.printf(java.util.Locale.ROOT,
                    "gc_%s_ops_with_collection_pct=%.2f%ngc_%s_collections_per_1000_ops=%.2f%n", phase,
                    100.0 * opsWithCollection / measured, phase, 1000.0 * collected / measured);
            }
        } finally {
            bench.tearDown();
        }
    }

    /** Collections so far, of every collector (young and old; G1 counts its concurrent cycles' pauses too). */
    private static long collections() {
        long count = 0;
        for (java.lang.management.GarbageCollectorMXBean gc
            : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }

    /**
     * Runs both benchmarks (about three minutes); arguments are JMH's own, except {@code --cpu [N]}: CPU time per
     * operation over N measured operations (default 2000) instead of JMH.
     *
     * <p>Three forks: each JVM compiles the parser and the sorter its own way, and single-fork runs of the same code
     * gave p50s 50 % apart, so one fork's p99 says more about that JVM's JIT than about the code; JMH pools the
     * samples of all forks into the percentiles. The GC profiler prints the bytes allocated per operation
     * ({@code gc.alloc.rate.norm}) and the collections during measurement: a young collection landing inside an
     * operation is what its p99 sees, and it comes as often as the allocation fills the young generation.
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--cpu")) {
            int n = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
            cpuTimes(n, n);
            return;
        }
        if (args.length > 0) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        new Runner(new OptionsBuilder()
            .include(SorterSpeedBenchmark.class.getSimpleName())
            .forks(3)
            .addProfiler(org.openjdk.jmh.profile.GCProfiler.class)
            .warmupIterations(3).warmupTime(org.openjdk.jmh.runner.options.TimeValue.seconds(3))
            .measurementIterations(5).measurementTime(org.openjdk.jmh.runner.options.TimeValue.seconds(3))
            .threads(1)
            .build()).run();
    }
}
