package org.mailroom.bench;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.ComposedMessageIdWithMetaData;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxCounters;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.SearchQuery;
import org.mailroom.storage.mailbox.MailboxStore;
import org.mailroom.storage.metrics.MicrometerMetricFactory;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.MailroomAuthenticator;
import org.mailroom.storage.user.PasswordHasher;
import org.mailroom.storage.user.UserRepository;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;

/**
 * Measures the mailbox store the way the server uses it (James MailboxManager/MessageManager over embedded
 * Derby in a temporary folder): durable append throughput, and the SELECT/FETCH paths of a 100,000-message
 * mailbox. Prints one {@code key=value} per line on stdout, then a short summary. Sizes can be changed with
 * {@code -Dbench.appends=N}, {@code -Dbench.bigMailbox=N}, {@code -Dbench.buildThreads=N}.
 */
public final class StorageBenchmark {
    private static final Username USER = Username.of("alice@example.org");
    /** The other users of the 8-users run (a small office: each thread delivers to its own user's INBOX). */
    private static final int OFFICE_USERS = 8;
    private static final int MESSAGE_SIZE = 4096;
    private static final int RUNS = 5;

    private final MailboxManager manager;
    private final MailboxStore store;
    private final AtomicLong messageCounter = new AtomicLong();
    private final List<String> summary = new ArrayList<>();

    private StorageBenchmark(MailboxStore store) {
        this.store = store;
        this.manager = store.mailboxManager();
    }

    public static void main(String[] args) throws Exception {
        int appends = Integer.getInteger("bench.appends", 4000);
        int warmUp = Integer.getInteger("bench.warmUp", 500);
        int bigMailbox = Integer.getInteger("bench.bigMailbox", 100_000);
        int buildThreads = Integer.getInteger("bench.buildThreads", 8);
        Path dir = Files.createTempDirectory("mailroom-bench");
        figure("date", Instant.now().toString());
        figure("nproc", Runtime.getRuntime().availableProcessors());
        figure("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        figure("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        figure("load_average_at_start", String.format(Locale.ROOT, "%.2f",
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        figure("data_dir", dir);
        try (Database db = Database.open(DatabaseSettings.embedded(dir))) {
            DomainRepository domains = new DomainRepository(db);
            domains.add("example.org");
            UserRepository users = new UserRepository(db, domains, PasswordHasher.defaults());
            users.add(USER.asString(), "bench-password".toCharArray());
            for (int i = 0; i < OFFICE_USERS; i++) {
                users.add(officeUser(i).asString(), "bench-password".toCharArray());
            }
            MailroomAuthenticator authenticator = new MailroomAuthenticator(users);
            MailboxStore store = new MailboxStore(db, authenticator, authenticator,
                new MicrometerMetricFactory(new SimpleMeterRegistry()), Clock.systemUTC(), MailboxStore.Settings.defaults(), Set.of());
            StorageBenchmark bench = new StorageBenchmark(store);
            bench.appendThroughput(appends, warmUp);
            if (bigMailbox > 0) {
                bench.bigMailbox(bigMailbox, buildThreads);
            }
            System.out.println();
            System.out.println("# summary");
            bench.summary.forEach(line -> System.out.println("# " + line));
        } finally {
            deleteRecursively(dir);
        }
    }

    private void appendThroughput(int count, int warmUp) throws Exception {
        List<MailboxPath> warm = paths("warm-up", 8);
        append(List.of(warm.get(0)), warmUp);
        append(warm, warmUp);

        report("append_1t", append(paths("one-thread", 1), count));
        report("append_8t_8mb", append(paths("eight-mailboxes", 8), count));
        List<MailboxPath> office = new ArrayList<>();
        for (int i = 0; i < OFFICE_USERS; i++) {
            office.add(MailboxPath.inbox(officeUser(i)));
        }
        report("append_8t_8users", append(office, count));
        MailboxPath shared = path("shared");
        report("append_8t_1mb", append(List.of(shared, shared, shared, shared, shared, shared, shared, shared), count));
    }

    private void report(String key, AppendRun run) {
        figure(key + "_msgs_per_s", String.format(Locale.ROOT, "%.0f", run.perSecond()));
        figure(key + "_latency_p50_ms", String.format(Locale.ROOT, "%.1f", run.percentileMillis(50)));
        figure(key + "_latency_p99_ms", String.format(Locale.ROOT, "%.1f", run.percentileMillis(99)));
        figure(key + "_cpu_ms_per_append", String.format(Locale.ROOT, "%.2f", run.cpuMillisPerAppend()));
        // Where that CPU went, by thread kind (Linux /proc only; empty elsewhere): JIT and GC are not the store's work.
        StringBuilder split = new StringBuilder();
        run.cpuByGroup().forEach((group, nanos) -> split.append(split.length() == 0 ? "" : ",")
            .append(group).append(':').append(String.format(Locale.ROOT, "%.2f", nanos / 1e6 / run.count())));
        figure(key + "_cpu_ms_per_append_by_thread", split);
        summary.add(String.format(Locale.ROOT, "%-16s %7.0f msgs/s  (p50 %.1f ms, p99 %.1f ms, CPU %.2f ms per append)",
            key, run.perSecond(), run.percentileMillis(50), run.percentileMillis(99), run.cpuMillisPerAppend()));
    }

    private void bigMailbox(int size, int buildThreads) throws Exception {
        MailboxPath big = path("big");
        List<MailboxPath> targets = new ArrayList<>();
        for (int i = 0; i < buildThreads; i++) {
            targets.add(big);
        }
        AppendRun build = append(targets, size);
        figure("big_mailbox_messages", size);
        figure("big_build_threads", buildThreads);
        figure("big_build_seconds", String.format(Locale.ROOT, "%.1f", build.seconds()));
        figure("big_build_msgs_per_s", String.format(Locale.ROOT, "%.0f", build.perSecond()));

        MailboxSession session = manager.createSystemSession(USER);
        MessageManager mailbox = manager.getMailbox(big, session);
        var mapper = store.mapperFactory().getMessageMapper(session);
        var entity = mailbox.getMailboxEntity();

        median("big_list_uids_mapper_ms", () -> check(size,
            mapper.listAllMessageUids(entity).collectList().block().size()));
        // The call James's IMAP SELECT makes (SelectedMailboxImpl): a search for all, short-cut to listAllMessageUids.
        median("big_select_uids_search_all_ms", () -> check(size,
            Flux.from(mailbox.search(SearchQuery.of(SearchQuery.all()), session)).collectList().block().size()));
        median("big_mailbox_counters_ms", () -> {
            MailboxCounters counters = mailbox.getMailboxCounters(session);
            return check(size, (int) counters.getCount());
        });
        median("big_select_metadata_ms", () -> check(size, (int) mailbox.getMetaData(
            MessageManager.MailboxMetaData.RecentMode.IGNORE, session, MessageManager.MailboxMetaData.FetchGroup.FIRST_UNSEEN)
            .getMessageCount()));
        median("big_fetch_flags_metadata_ms", () -> {
            List<Flags> flags = Flux.from(mailbox.listMessagesMetadata(MessageRange.all(), session))
                .map(ComposedMessageIdWithMetaData::getFlags).collectList().block();
            return check(size, flags.size());
        });
        // What FETCH of anything beyond FLAGS/UID (e.g. RFC822.SIZE, INTERNALDATE) loads: one row per message, no bytes.
        median("big_fetch_minimal_messages_ms", () -> check(size,
            Flux.from(mailbox.getMessagesReactive(MessageRange.all(), FetchGroup.MINIMAL, session)).count().block().intValue()));

        heapPerOpenedMailbox(big, size);
    }

    /** Heap retained by one opened and selected big mailbox: session, manager, metadata and its UID list. */
    private void heapPerOpenedMailbox(MailboxPath big, int size) throws Exception {
        long before = usedHeapAfterGc();
        MailboxSession session = manager.createSystemSession(USER);
        MessageManager mailbox = manager.getMailbox(big, session);
        MessageManager.MailboxMetaData metaData = mailbox.getMetaData(MessageManager.MailboxMetaData.RecentMode.IGNORE,
            session, MessageManager.MailboxMetaData.FetchGroup.FIRST_UNSEEN);
        List<MessageUid> uids = Flux.from(mailbox.search(SearchQuery.of(SearchQuery.all()), session)).collectList().block();
        Object[] held = {session, mailbox, metaData, uids};
        long after = usedHeapAfterGc();
        check(size, uids.size());
        figure("big_heap_per_opened_mailbox_mb", String.format(Locale.ROOT, "%.1f", (after - before) / 1048576.0));
        summary.add(String.format(Locale.ROOT, "heap retained by one opened %d-message mailbox: %.1f MB", size,
            (after - before) / 1048576.0));
        if (held.length != 4) {
            throw new IllegalStateException();
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }

    private void median(String key, Callable<Integer> work) throws Exception {
        work.call(); // warm-up, not counted
        double[] millis = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long start = System.nanoTime();
            work.call();
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        double median = millis[RUNS / 2];
        figure(key, String.format(Locale.ROOT, "%.1f", median));
        summary.add(String.format(Locale.ROOT, "%-32s median %8.1f ms (min %.1f, max %.1f)", key, median, millis[0],
            millis[RUNS - 1]));
    }

    private static int check(int expected, int actual) {
        if (expected != actual) {
            throw new IllegalStateException("expected " + expected + " results, got " + actual);
        }
        return actual;
    }

    /** Appends {@code count} 4 KB messages, one thread per target (targets may repeat), each append committed. */
    private AppendRun append(List<MailboxPath> targets, int count) throws Exception {
        for (MailboxPath path : targets.stream().distinct().toList()) {
            MailboxSession admin = manager.createSystemSession(path.getUser());
            if (!Boolean.TRUE.equals(reactor.core.publisher.Mono.from(manager.mailboxExists(path, admin)).block())) {
                manager.createMailbox(path, admin);
            }
        }
        int threads = targets.size();
        long[] latencies = new long[count];
        AtomicLong next = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            long start = System.nanoTime();
            java.util.Map<String, Long> threadCpuStart = ThreadCpu.byGroup();
            long cpuStart = processCpuNanos();
            for (MailboxPath target : targets) {
                futures.add(pool.submit(() -> {
                    MailboxSession session = manager.createSystemSession(target.getUser());
                    MessageManager mailbox = manager.getMailbox(target, session);
                    for (long i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        byte[] message = message(messageCounter.incrementAndGet());
                        long t0 = System.nanoTime();
                        mailbox.appendMessage(MessageManager.AppendCommand.builder().build(message), session);
                        latencies[(int) i] = System.nanoTime() - t0;
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
            long cpuNanos = processCpuNanos() - cpuStart;
            return new AppendRun(count, System.nanoTime() - start, cpuNanos, latencies,
                ThreadCpu.difference(ThreadCpu.byGroup(), threadCpuStart));
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * CPU time of the whole JVM (every thread: the appending ones, Derby's, the garbage collector's). On a shared
     * machine wall-clock rates depend on the neighbours; CPU time per append does much less.
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private record AppendRun(int count, long nanos, long cpuNanos, long[] latencies, java.util.Map<String, Long> cpuByGroup) {
        double seconds() {
            return nanos / 1e9;
        }

        double cpuMillisPerAppend() {
            return cpuNanos / 1e6 / count;
        }

        double perSecond() {
            return count / seconds();
        }

        double percentileMillis(int percentile) {
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * percentile / 100.0) - 1)] / 1e6;
        }
    }

    /** A 4 KB text message with a unique Message-ID. */
    private static byte[] message(long n) {
        StringBuilder m = new StringBuilder(MESSAGE_SIZE);
        m.append("From: bench@example.net\r\nTo: alice@example.org\r\nSubject: benchmark message ").append(n)
            .append("\r\nMessage-ID: <bench.").append(n).append("@example.net>\r\n")
            .append("Date: Thu, 1 Jan 2026 00:00:00 +0000\r\nMIME-Version: 1.0\r\n")
            .append("Content-Type: text/plain; charset=us-ascii\r\n\r\n");
        String line = "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.\r\n";
        while (m.length() + line.length() <= MESSAGE_SIZE) {
            m.append(line);
        }
        while (m.length() < MESSAGE_SIZE - 2) {
            m.append('x');
        }
        m.append("\r\n");
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static Username officeUser(int i) {
        return Username.of("user" + i + "@example.org");
    }

    private MailboxPath path(String name) {
        return MailboxPath.forUser(USER, name);
    }

    private List<MailboxPath> paths(String prefix, int n) {
        List<MailboxPath> paths = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            paths.add(path(prefix + "-" + i));
        }
        return paths;
    }

    private static void figure(String key, Object value) {
        System.out.println(key + "=" + value);
        System.out.flush();
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
