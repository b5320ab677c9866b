package org.mailroom.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxMetaData;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.search.MailboxQuery;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.dist.config.ConfigLoader;
import org.mailroom.dist.config.MailroomConfig;
import org.mailroom.storage.mailbox.MailboxStore;
import org.mailroom.storage.metrics.MicrometerMetricFactory;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.MailroomAuthenticator;
import org.mailroom.storage.user.PasswordHasher;
import org.mailroom.storage.user.UserRepository;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * "250 means stored", proven the hard way: several SMTP clients send a load of 1,000 messages to real
 * {@code mailroom start} processes, each killed with SIGKILL at a random moment; after the kill every message that
 * got 250 to its DATA is in the mailbox exactly once, and nothing is stored that was not sent.
 *
 * <p>The 1,000 messages are spread over the trials: each of the {@value #TRIALS} trials runs its own server on its
 * own copy of the data folder and sends its share of what is left ({@value #CLIENTS} concurrent clients); the
 * server is killed when the trial's k-th 250 arrives, k drawn at random below the share, so every kill lands while
 * the other clients are somewhere inside their transactions (mid-DATA, mid-commit, between commit and reply). The
 * messages a trial did not get to send go to the next one (a message sent without its 250 is not sent again: it may
 * be stored, and SMTP's resend would rightly duplicate it). After the kill the killed data folder is opened the
 * way a restart opens it (Derby's crash recovery, then the mailbox API over it) in this JVM, while the next
 * trial's server boots; no fixed sleeps. A last server sends whatever the killed trials left, so the whole load
 * is sent, and is stopped in order. The servers run with C1 only and the serial GC: that halves the CPU a
 * boot costs on a 2-core CI machine and changes nothing about what is durable when.
 */
class SmtpCrashSafetyIT {
    private static final int TRIALS = 10;
    private static final int CLIENTS = 4;
    private static final int MESSAGES = 1_000;
    private static final String USER = "alice@example.org";
    private static final String PASSWORD = "a long password";
    private static final Pattern MX_PORT = Pattern.compile("SMTP inbound +MX on [^ ]+:(\\d+)");
    private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^Message-ID: *(<[^>]+>)");
    private static final int SIGKILL_EXIT = 128 + 9;

    @TempDir
    static Path templateRoot;
    private static Path template;

    @TempDir
    Path root;

    /** A data folder with the domain and the user, copied for every trial (creating it costs seconds). */
    @BeforeAll
    static void createTemplate() throws IOException {
        template = templateRoot.resolve("data");
        Path config = writeConfig(templateRoot, template);
        assertThat(CliRun.run(templateRoot, "", "--config", config.toString(), "admin", "domain", "add",
            "example.org").exitCode()).isZero();
        assertThat(CliRun.run(templateRoot, PASSWORD + "\n", "--config", config.toString(), "admin", "user", "add",
            USER, "--password-stdin").exitCode()).isZero();
    }

    private static Path writeConfig(Path dir, Path dataDir) throws IOException {
        return Files.writeString(dir.resolve("mailroom.yaml"), "storage:\n  data-dir: " + dataDir + "\n"
            + "imap:\n  port: 0\n  tls-port: 0\n"
            + "smtp:\n  port: 0\n"
            + "submission:\n  port: 0\n  tls-port: 0\n"
            + "http:\n  port: 0\n");
    }

    @Test
    void everyMessageAcknowledgedWith250SurvivesSigkillExactlyOnce() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("SmtpCrashSafetyIT seed=" + seed + " (rerun with -Dcrash.seed=" + seed + ")");
        Random random = new Random(seed);
        Queue<Integer> unsent = new ConcurrentLinkedQueue<>(IntStream.range(0, MESSAGES).boxed().toList());
        int sent = 0;
        int acknowledged = 0;
        // The next trial's server boots (a JVM start, Derby, TLS) while this trial's store is checked.
        Trial next = Trial.start(root, 1);
        // Trials 1..TRIALS are killed; one more server sends what is left and is stopped in order.
        for (int trial = 1; trial <= TRIALS + 1; trial++) {
            Trial current = next;
            if (trial <= TRIALS) {
                int share = Math.max(2, unsent.size() / (TRIALS - trial + 1));
                current.killUnderLoad(unsent, 1 + random.nextInt(share - 1));
            } else {
                current.sendTheRestAndStop(unsent);
            }
            next = trial <= TRIALS ? Trial.start(root, trial + 1) : null;
            try {
                current.verify();
            } catch (Throwable failed) {
                if (next != null) {
                    next.server.process.destroyForcibly();
                }
                throw failed;
            }
            sent += current.load().attempted.size();
            acknowledged += current.load().acknowledged.size();
        }
        System.out.printf("SmtpCrashSafetyIT: %d killed trials, %d of %d messages sent, %d acknowledged and found"
            + " once%n", TRIALS, sent, MESSAGES, acknowledged);
        assertThat(sent).as("the whole load was sent, spread over the trials").isEqualTo(MESSAGES);
    }

    /** One trial: its own copy of the data folder and a server running on it. */
    private record Trial(int number, Path config, Path data, ServerProcess server, Load load) {

        static Trial start(Path root, int number) throws Exception {
            Path trialDir = Files.createDirectories(root.resolve("trial-" + number));
            Path data = trialDir.resolve("data");
            copy(template, data);
            Path config = writeConfig(trialDir, data);
            ServerProcess server = ServerProcess.start(config);
            return new Trial(number, config, data, server, new Load(number, server));
        }

        /**
         * Sends messages taken from {@code unsent}; the client that receives the {@code killAtAck}-th 250 kills the
         * server there and then.
         */
        void killUnderLoad(Queue<Integer> unsent, int killAtAck) throws Exception {
            try {
                load.start(unsent, killAtAck);
                assertThat(server.process.waitFor(300, TimeUnit.SECONDS))
                    .as("trial %d: server killed at the 250 number %d; server: %s", number, killAtAck, server.output)
                    .isTrue();
                assertThat(server.process.exitValue()).as("trial %d: exit status of a SIGKILLed JVM", number)
                    .isEqualTo(SIGKILL_EXIT);
            } finally {
                server.process.destroyForcibly();
                load.join();
            }
            System.out.printf("trial %d: killed at the 250 number %d%n", number, killAtAck);
        }

        /** Sends every message left, then stops the server with SIGTERM (an orderly stop: 143 after its hooks). */
        void sendTheRestAndStop(Queue<Integer> unsent) throws Exception {
            try {
                load.start(unsent, Integer.MAX_VALUE);
                load.join();
                assertThat(unsent).as("last run: every message left was sent").isEmpty();
                assertThat(load.acknowledged).as("last run: every message got its 250").hasSameSizeAs(load.attempted);
                server.process.destroy();
                assertThat(server.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                server.process.destroyForcibly();
            }
            System.out.printf("trial %d: sent the %d messages left, then stopped%n", number, load.attempted.size());
        }

        void verify() throws Exception {
            check(this);
        }
    }

    private static void check(Trial t) throws Exception {
        int trial = t.number();
        Load load = t.load();
        List<String> stored = storedMessageIds(t.config());
        Map<String, Integer> copies = new HashMap<>();
        stored.forEach(id -> copies.merge(id, 1, Integer::sum));
        System.out.printf("trial %d: %d acknowledged, %d sent in all, %d stored%n",
            trial, load.acknowledged.size(), load.attempted.size(), stored.size());

        if (trial <= TRIALS) {
            // the last trial is not killed, and has nothing to send when the killed ones' in-flight clients took
            // every message left (seen on a fast machine)
            assertThat(load.acknowledged).as("trial %d: the kill came after the first 250", trial).isNotEmpty();
        }
        assertThat(copies).as("trial %d: no message stored twice", trial).allSatisfy((id, n) -> assertThat(n).isOne());
        assertThat(copies.keySet()).as("trial %d: every acknowledged message is stored", trial)
            .containsAll(load.acknowledged);
        assertThat(load.attempted).as("trial %d: only messages that were sent are stored", trial)
            .containsAll(copies.keySet());
    }

    /**
     * Opens the killed server's store as a restart does (Derby recovers from its log on open) and reads the
     * Message-IDs of every message in every mailbox of the user, through the James mailbox API.
     */
    private static List<String> storedMessageIds(Path configFile) throws Exception {
        MailroomConfig config = new ConfigLoader().load(configFile);
        List<String> ids = new ArrayList<>();
        try (Database database = Database.open(config.storage().databaseSettings())) {
            MailroomAuthenticator authenticator = new MailroomAuthenticator(
                new UserRepository(database, new DomainRepository(database), PasswordHasher.defaults()));
            MailboxStore store = new MailboxStore(database, authenticator, authenticator,
                new MicrometerMetricFactory(new SimpleMeterRegistry()), Clock.systemUTC(), Mailroom.storeSettings(config),
                Set.of());
            MailboxManager manager = store.mailboxManager();
            MailboxSession session = manager.createSystemSession(Username.of(USER));
            List<MailboxMetaData> mailboxes = manager.search(MailboxQuery.privateMailboxesBuilder(session)
                .matchesAllMailboxNames().build(), session).collectList().block();
            for (MailboxMetaData mailbox : mailboxes) {
                MessageManager messages = manager.getMailbox(mailbox.getPath(), session);
                var results = messages.getMessages(MessageRange.all(), FetchGroup.HEADERS, session);
                while (results.hasNext()) {
                    try (InputStream headers = results.next().getHeaders().getInputStream()) {
                        Matcher matcher = MESSAGE_ID.matcher(new String(headers.readAllBytes(), StandardCharsets.UTF_8));
                        while (matcher.find()) {
                            ids.add(matcher.group(1));
                        }
                    }
                }
            }
        }
        return ids;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else if (!source.getFileName().toString().equals("derby.log")) {
                    Files.copy(source, target);
                }
            }
        }
    }

    /** {@code mailroom start} in a child JVM, and its MX port once it is running. */
    private record ServerProcess(Process process, int mxPort, StringBuffer output) {

        static ServerProcess start(Path config) throws Exception {
            ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // C1 only and the serial GC: half the CPU of a boot, the same durability (see the class comment).
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "start", "--config",
                config.toString())
                .redirectErrorStream(true);
            // What this test is about starts after the warm-up; StartUpWarmUpTest covers that.
            command.environment().put(StartUpWarmUp.ENVIRONMENT, "off");
            Process process = command.start();
            StringBuffer output = new StringBuffer();
            CountDownLatch running = new CountDownLatch(1);
            int[] port = new int[1];
            Thread drain = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        output.append(line).append('\n');
                        Matcher mx = MX_PORT.matcher(line);
                        if (mx.find()) {
                            port[0] = Integer.parseInt(mx.group(1));
                        }
                        if (line.contains("Mailroom is running")) {
                            running.countDown();
                        }
                    }
                } catch (IOException killed) {
                    // the pipe closes with the process
                }
            }, "server-output");
            drain.setDaemon(true);
            drain.start();
            if (!running.await(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("server did not start: " + output);
            }
            return new ServerProcess(process, port[0], output);
        }
    }

    /**
     * CLIENTS concurrent SMTP sessions sending the load's messages not sent yet; the client that receives the k-th
     * 250 kills the server at once. Runs until the server is gone; a message taken but not begun goes back.
     */
    private static final class Load {
        final Set<String> attempted = ConcurrentHashMap.newKeySet();
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        private final AtomicInteger acks = new AtomicInteger();
        private final List<Thread> clients = new ArrayList<>();
        private final int trial;
        private final ServerProcess server;

        Load(int trial, ServerProcess server) {
            this.trial = trial;
            this.server = server;
        }

        void start(Queue<Integer> unsent, int killAtAck) {
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(new Thread(() -> send(unsent, killAtAck), "client-" + c));
            }
            clients.forEach(Thread::start);
        }

        void join() throws InterruptedException {
            for (Thread client : clients) {
                client.join(300_000);
            }
        }

        private void send(Queue<Integer> unsent, int killAtAck) {
            Integer taken = null;
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.mxPort())) {
                // Generous: a server's first commits (class loading, JIT, INBOX creation) took 37 s on a 2-core machine
                // with a load average of 50; a client that gave up then left nobody to trigger the kill.
                socket.setSoTimeout(180_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
                OutputStream out = socket.getOutputStream();
                expect(in, "220");
                out.write("EHLO crash.test\r\n".getBytes(StandardCharsets.US_ASCII));
                String line;
                while ((line = in.readLine()) != null && line.startsWith("250-")) {
                    // extensions
                }
                while ((taken = unsent.poll()) != null) {
                    int n = taken;
                    String id = "<t" + trial + "-m" + n + "@crash.test>";
                    out.write(("MAIL FROM:<bob@crash.test>\r\nRCPT TO:<" + USER + ">\r\nDATA\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                    expect(in, "250");
                    expect(in, "250");
                    expect(in, "354");
                    attempted.add(id);
                    taken = null;
                    out.write(("From: bob@crash.test\r\nTo: " + USER + "\r\nSubject: load " + n + "\r\nMessage-ID: "
                        + id + "\r\n\r\n" + "line of the body\r\n".repeat(100) + ".\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                    expect(in, "250");
                    acknowledged.add(id);
                    if (acks.incrementAndGet() == killAtAck) {
                        server.process.destroyForcibly();
                    }
                }
            } catch (IOException serverKilled) {
                // expected: the load runs until the server dies; a message not begun is the next trial's
                if (taken != null) {
                    unsent.add(taken);
                }
            }
        }

        private static void expect(BufferedReader in, String code) throws IOException {
            String line = in.readLine();
            if (line == null || !line.startsWith(code)) {
                throw new IOException("expected " + code + ", got " + line);
            }
        }
    }
}
