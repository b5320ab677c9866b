package org.mailroom.storage.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxCounters;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.mailbox.model.MessageResultIterator;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.storage.mailbox.MailboxStore;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.mailroom.storage.schema.StorageStartupException;

/**
 * Kills a JVM that is appending to the store with SIGKILL at a random moment, reopens the database and checks
 * that every acknowledged append survived byte for byte and that nothing half-written is visible.
 */
class CrashSafetyIT {
    private static final int TRIALS = 10;
    private static final int CHILDREN_STARTED_AHEAD = 2;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final int SIGKILL_EXIT = 128 + 9;

    @TempDir
    static Path templateRoot;
    private static Path template;

    @TempDir
    Path root;

    /**
     * A migrated, cleanly shut down database with alice's INBOX, copied for every child: creating a Derby
     * database and migrating it costs seconds, booting a copy well under one.
     */
    @BeforeAll
    static void createTemplate() throws Exception {
        template = templateRoot.resolve("template");
        try (Database db = Database.open(DatabaseSettings.embedded(template))) {
            MailboxManager manager = CrashAppender.store(db).mailboxManager();
            MailboxSession session = manager.createSystemSession(CrashAppender.USER);
            manager.createMailbox(MailboxPath.inbox(session), session);
        }
    }

    private static void copyTemplate(Path dataDir) throws IOException {
        try (Stream<Path> files = Files.walk(template)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = dataDir.resolve(template.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else if (!source.getFileName().toString().equals("derby.log")) {
                    Files.copy(source, target);
                }
            }
        }
    }

    /** What the child said about one message: its UID (0 while pending), Message-ID and SHA-256. */
    private record Report(long uid, String messageId, String sha256) {
    }

    @Test
    void acknowledgedAppendsSurviveSigkillWholeAndNothingHalfWrittenIsVisible() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("CrashSafetyIT seed=" + seed + " (rerun with -Dcrash.seed=" + seed + ")");
        Random random = new Random(seed);
        // Children are started ahead of their turn (JVM start and Derby boot dominate a trial) and wait warm,
        // with the store open, for their GO; the kill is timed from their first acknowledged append.
        Deque<AppendingChild> started = new ArrayDeque<>();
        int nextToStart = 1;
        try {
            for (int trial = 1; trial <= TRIALS; trial++) {
                while (nextToStart <= TRIALS && nextToStart <= trial + CHILDREN_STARTED_AHEAD) {
                    started.add(AppendingChild.start(root, nextToStart++, random.nextLong()));
                }
                runTrial(started.poll(), 300 + random.nextInt(2201));
            }
        } finally {
            started.forEach(child -> child.process.destroyForcibly());
        }
    }

    /** A child JVM appending to its own copy of the template database, and what it has printed so far. */
    private static final class AppendingChild {
        final int trial;
        final Path dataDir;
        final Process process;
        final Thread reader;
        final long startedNanos = System.nanoTime();
        final CountDownLatch ready = new CountDownLatch(1);
        final CountDownLatch firstOk = new CountDownLatch(1);
        final Map<String, Report> generated = new LinkedHashMap<>();
        final List<Report> acknowledged = new ArrayList<>();

        private AppendingChild(int trial, Path dataDir, Process process) {
            this.trial = trial;
            this.dataDir = dataDir;
            this.process = process;
            this.reader = readLines(process.getInputStream(), this::onLine);
        }

        static AppendingChild start(Path root, int trial, long seed) throws IOException {
            Path dataDir = root.resolve("trial-" + trial);
            copyTemplate(dataDir);
            String run = "t" + trial + "x" + Long.toHexString(seed);
            return new AppendingChild(trial, dataDir, startChild(dataDir, "append", dataDir.toString(), run, Long.toString(seed)));
        }

        private synchronized void onLine(String line) {
            if (line.equals("READY")) {
                ready.countDown();
                return;
            }
            String[] f = line.split(" ");
            if (f.length != 4 || !SHA256.matcher(f[3]).matches()) {
                return; // a line cut short by the kill carries no complete report
            }
            if (f[0].equals("PENDING")) {
                generated.put(f[2], new Report(0, f[2], f[3]));
            } else if (f[0].equals("OK")) {
                acknowledged.add(new Report(Long.parseLong(f[1]), f[2], f[3]));
                firstOk.countDown();
            }
        }

        /**
         * SIGKILL through the process handle. {@link Process#destroyForcibly()} also closes our end of the child's
         * standard output, so reports still in the pipe, unread by a lagging reader, would be lost: a child's
         * last PENDING line among them made an appended message look like one it never generated.
         */
        void kill() {
            process.toHandle().destroyForcibly();
        }

        void go() throws IOException {
            process.getOutputStream().write("GO\n".getBytes(StandardCharsets.US_ASCII));
            process.getOutputStream().flush();
        }
    }

    private void runTrial(AppendingChild child, int killDelayMillis) throws Exception {
        int trial = child.trial;
        try {
            if (!child.ready.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("trial " + trial + ": child not ready within 60 s; its log: " + childLog(child.dataDir));
            }
            long waitedMillis = (System.nanoTime() - child.startedNanos) / 1_000_000;
            long go = System.nanoTime();
            child.go();
            if (!child.firstOk.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("trial " + trial + ": no append acknowledged within 60 s; its log: "
                    + childLog(child.dataDir));
            }
            System.out.printf("trial %d: child ready %d ms after start, first append acknowledged %d ms after GO%n",
                trial, waitedMillis, (System.nanoTime() - go) / 1_000_000);
            Thread.sleep(killDelayMillis);
            child.kill();
            assertThat(child.process.waitFor(30, TimeUnit.SECONDS)).as("child died").isTrue();
            assertThat(child.process.exitValue()).as("trial %d: exit status of a SIGKILLed JVM; its log: %s", trial,
                childLog(child.dataDir)).isEqualTo(SIGKILL_EXIT);
        } finally {
            child.kill();
        }
        // Every report the child wrote before it died must be read before the store is judged against them: on a
        // loaded machine the reader can lag well behind the kill, and a report missed here is not a storage fault.
        child.reader.join(120_000);
        assertThat(child.reader.isAlive()).as("trial %d: the child's output was read to its end", trial).isFalse();

        List<Report> acks;
        Map<String, Report> generated;
        synchronized (child) {
            acks = List.copyOf(child.acknowledged);
            generated = Map.copyOf(child.generated);
        }
        long verifyStarted = System.nanoTime();
        int stored = verifyStore(trial, child.dataDir, acks, generated);
        System.out.printf("trial %d: killed %d ms after the first acknowledgement, %d acknowledged, %d stored;"
            + " verified in %d ms%n", trial, killDelayMillis, acks.size(), stored, (System.nanoTime() - verifyStarted) / 1_000_000);
    }

    /** Reopens the killed child's database and checks it against what the child reported. Returns the row count. */
    private int verifyStore(int trial, Path dataDir, List<Report> acks, Map<String, Report> generated) throws Exception {
        String where = "trial " + trial + ": ";
        try (Database db = Database.open(DatabaseSettings.embedded(dataDir))) {
            MailboxManager manager = CrashAppender.store(db).mailboxManager();
            MailboxSession session = manager.createSystemSession(CrashAppender.USER);
            MessageManager inbox = manager.getMailbox(MailboxPath.inbox(session), session);

            Map<Long, Report> storedByUid = new LinkedHashMap<>();
            MessageResultIterator messages = inbox.getMessages(MessageRange.all(), FetchGroup.FULL_CONTENT, session);
            while (messages.hasNext()) {
                MessageResult message = messages.next();
                long uid = message.getUid().asLong();
                byte[] bytes;
                try (InputStream in = message.getFullContent().getInputStream()) {
                    bytes = in.readAllBytes();
                }
                assertThat((long) bytes.length).as(where + "size of UID %d matches its bytes", uid).isEqualTo(message.getSize());
                Message parsed = new DefaultMessageBuilder().parseMessage(new java.io.ByteArrayInputStream(bytes));
                String messageId = parsed.getMessageId();
                assertThat(messageId).as(where + "Message-ID of UID %d", uid).isNotNull();
                Report sent = generated.get(messageId);
                assertThat(sent).as(where + "UID %d holds %s, a message the child generated", uid, messageId).isNotNull();
                assertThat(CrashTestMessages.sha256(bytes)).as(where + "content of UID %d (%s) is byte-identical", uid, messageId)
                    .isEqualTo(sent.sha256());
                storedByUid.put(uid, new Report(uid, messageId, sent.sha256()));
            }

            for (Report ack : acks) {
                assertThat(storedByUid.get(ack.uid())).as(where + "acknowledged append %s is stored under UID %d", ack.messageId(), ack.uid())
                    .isEqualTo(ack);
            }
            assertThat(storedByUid.size()).as(where + "stored messages vs %d acknowledged (at most one in flight)", acks.size())
                .isBetween(acks.size(), acks.size() + 1);
            assertThat(storedByUid.values().stream().map(Report::messageId).distinct().count())
                .as(where + "no message stored twice").isEqualTo(storedByUid.size());

            long count = storedByUid.size();
            long maxUid = storedByUid.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
            MailboxCounters counters = inbox.getMailboxCounters(session);
            assertThat(counters.getCount()).as(where + "counter: message count").isEqualTo(count);
            assertThat(counters.getUnseen()).as(where + "counter: unseen").isEqualTo(count);
            // One appender, UIDs allocated in the append's own transaction: UIDs are exactly 1..count.
            assertThat(storedByUid.keySet()).as(where + "UIDs are 1..count").containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(1, count).boxed().toList());
            MessageManager.MailboxMetaData meta = inbox.getMetaData(MessageManager.MailboxMetaData.RecentMode.IGNORE, session,
                MessageManager.MailboxMetaData.FetchGroup.UNSEEN_COUNT);
            assertThat(meta.getMessageCount()).as(where + "metadata message count").isEqualTo(count);
            assertThat(meta.getUidNext().asLong()).as(where + "UIDNEXT is last UID + 1").isEqualTo(maxUid + 1);

            Map<String, Long> sql = db.read(c -> {
                Map<String, Long> r = new LinkedHashMap<>();
                for (String q : List.of("SELECT COUNT(*) FROM mr_mailbox_message",
                    "SELECT COUNT(*) FROM mr_message",
                    "SELECT COUNT(*) FROM mr_message m WHERE NOT EXISTS (SELECT 1 FROM mr_mailbox_message mm WHERE mm.message_id = m.id)",
                    "SELECT MAX(last_uid) FROM mr_mailbox",
                    "SELECT MAX(highest_modseq) FROM mr_mailbox",
                    "SELECT COALESCE(MAX(modseq), 0) FROM mr_mailbox_message",
                    // Quota usage: the mailbox counters JdbcCurrentQuotaManager sums (no adjustment is ever made here).
                    "SELECT COALESCE(SUM(message_count), 0) FROM mr_mailbox",
                    "SELECT COALESCE(SUM(message_bytes), 0) FROM mr_mailbox",
                    "SELECT COALESCE(SUM(m.msg_size), 0) FROM mr_message m")) {
                    try (PreparedStatement ps = c.prepareStatement(q); ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        r.put(q, rs.getLong(1));
                    }
                }
                return r;
            });
            List<Long> v = List.copyOf(sql.values());
            assertThat(v.get(0)).as(where + "membership rows").isEqualTo(count);
            assertThat(v.get(1)).as(where + "message rows (no orphaned bytes)").isEqualTo(count);
            assertThat(v.get(2)).as(where + "message rows referenced by no mailbox").isZero();
            assertThat(v.get(3)).as(where + "mailbox last_uid").isEqualTo(maxUid);
            assertThat(v.get(4)).as(where + "highest_modseq >= every message's modseq").isGreaterThanOrEqualTo(v.get(5));
            // Quota usage is counted in the append's own transaction (on the mailbox row), so a crash cannot leave it behind.
            assertThat(v.get(6)).as(where + "quota message count").isEqualTo(count);
            assertThat(v.get(7)).as(where + "quota bytes").isEqualTo(v.get(8));
            return storedByUid.size();
        }
    }

    @Test
    void secondProcessOpeningAHeldDatabaseIsToldItIsLocked() throws Exception {
        Path dataDir = root.resolve("held");
        copyTemplate(dataDir);
        Process holder = startChild(dataDir, "hold", dataDir.toString());
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = readLines(holder.getInputStream(), line -> {
            if (line.equals("READY")) {
                ready.countDown();
            }
        });
        try {
            assertThat(ready.await(60, TimeUnit.SECONDS)).as("holder opened the database; its log: %s", childLog(dataDir))
                .isTrue();
            assertThatThrownBy(() -> Database.open(DatabaseSettings.embedded(dataDir)).close())
                .isInstanceOf(StorageStartupException.class)
                .hasMessageContaining(dataDir.toAbsolutePath().normalize().resolve("db").toString())
                .hasMessageContaining("locked");
        } finally {
            holder.getOutputStream().close();
            if (!holder.waitFor(30, TimeUnit.SECONDS)) {
                holder.destroyForcibly();
            }
            reader.join(10_000);
        }
        // Once the holder has closed it cleanly, the database opens here.
        Database.open(DatabaseSettings.embedded(dataDir)).close();
    }

    private static Process startChild(Path dataDir, String... args) throws IOException {
        Files.createDirectories(dataDir);
        List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            // A short-lived child: C1 only and no logback status dump keep its start cheap.
            "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
            "-cp", System.getProperty("java.class.path"),
            CrashAppender.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(dataDir.resolve("child.log").toFile()))
            .start();
    }

    private static String childLog(Path dataDir) {
        try {
            return Files.readString(dataDir.resolve("child.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static Thread readLines(InputStream in, java.util.function.Consumer<String> onLine) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    onLine.accept(line);
                }
            } catch (IOException e) {
                // The child is gone; what was read is all there is.
            }
        }, "crash-child-reader");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
