package org.mailroom.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.dist.config.ConfigLoader;

/**
 * "250 means stored", proven the hard way: several SMTP clients send a load of 1,000 messages to a real
 * {@code mailroom start} process that is killed with SIGKILL at a random moment; after a restart every message that
 * got 250 to its DATA is in the mailbox exactly once, and no message is there twice.
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
        // The next trial's server boots (a JVM start, Derby, TLS) while this trial's store is checked.
        Trial next = Trial.start(root, 1);
        for (int trial = 1; trial <= TRIALS; trial++) {
            Trial current = next;
            current.killUnderLoad(100 + random.nextInt(2_400));
            next = trial < TRIALS ? Trial.start(root, trial + 1) : null;
            try {
                current.verify();
            } catch (Throwable failed) {
                if (next != null) {
                    next.server.process.destroyForcibly();
                }
                throw failed;
            }
        }
    }

    /** One trial: its own copy of the data folder and a server running on it. */
    private record Trial(int number, Path config, Path data, ServerProcess server, Load load) {

        static Trial start(Path root, int number) throws Exception {
            Path trialDir = Files.createDirectories(root.resolve("trial-" + number));
            Path data = trialDir.resolve("data");
            copy(template, data);
            Path config = writeConfig(trialDir, data);
            ServerProcess server = ServerProcess.start(config);
            return new Trial(number, config, data, server, new Load(number, server.mxPort()));
        }

        void killUnderLoad(int killDelayMillis) throws Exception {
            try {
                load.start();
                assertThat(load.firstAck.await(60, TimeUnit.SECONDS)).as("trial %d: a first 250 within 60 s; server: %s",
                    number, server.output).isTrue();
                Thread.sleep(killDelayMillis);
                server.process.destroyForcibly();
                assertThat(server.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(server.process.exitValue()).as("trial %d: exit status of a SIGKILLed JVM", number)
                    .isEqualTo(SIGKILL_EXIT);
            } finally {
                server.process.destroyForcibly();
                load.join();
            }
            System.out.printf("trial %d: killed %d ms after the first 250%n", number, killDelayMillis);
        }

        void verify() throws Exception {
            check(this);
        }
    }

    private static void check(Trial t) throws Exception {
        int trial = t.number();
        Load load = t.load();
        List<String> stored = storedMessageIds(t.config(), t.data());
        Map<String, Integer> copies = new HashMap<>();
        stored.forEach(id -> copies.merge(id, 1, Integer::sum));
        System.out.printf("trial %d: %d acknowledged, %d sent in all, %d stored%n",
            trial, load.acknowledged.size(), load.attempted.size(), stored.size());

        assertThat(copies).as("trial %d: no message stored twice", trial).allSatisfy((id, n) -> assertThat(n).isOne());
        assertThat(copies.keySet()).as("trial %d: every acknowledged message is stored", trial)
            .containsAll(load.acknowledged);
        assertThat(load.attempted).as("trial %d: only messages that were sent are stored", trial)
            .containsAll(copies.keySet());
    }

    /** Restarts Mailroom on the killed server's data (in this JVM) and reads the Message-IDs of INBOX over IMAPS. */
    private static List<String> storedMessageIds(Path config, Path data) throws Exception {
        Mailroom mailroom = new Mailroom(new ConfigLoader().load(config), config, new PrintWriter(new StringWriter()));
        try (RunningMailroom running = mailroom.launch();
             SSLSocket imap = (SSLSocket) ServerCertificate.trusting(
                     ServerCertificate.read(data.resolve("tls/certificate.pem")))
                 .getSocketFactory().createSocket("localhost", running.imapTlsPort())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(imap.getInputStream(),
                StandardCharsets.US_ASCII));
            OutputStream out = imap.getOutputStream();
            assertThat(in.readLine()).startsWith("* OK");
            // One command at a time: LOGIN changes the state the next command runs in (RFC 9051 5.5).
            command(in, out, "a1 LOGIN " + USER + " \"" + PASSWORD + "\"");
            command(in, out, "a2 SELECT INBOX");
            String response = command(in, out, "a3 FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])");
            // An empty mailbox answers "a3 BAD" (no message 1): nothing stored is a valid outcome of an early kill.
            List<String> ids = new ArrayList<>();
            Matcher matcher = MESSAGE_ID.matcher(response);
            while (matcher.find()) {
                ids.add(matcher.group(1));
            }
            return ids;
        }
    }

    /** Sends one command and returns everything up to its tagged reply; a NO for LOGIN or SELECT fails the test. */
    private static String command(BufferedReader in, OutputStream out, String command) throws IOException {
        String tag = command.substring(0, command.indexOf(' '));
        out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        StringBuilder response = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            response.append(line).append('\n');
            if (line.startsWith(tag + " ")) {
                if (!line.startsWith(tag + " OK") && !tag.equals("a3")) {
                    throw new AssertionError(response);
                }
                break;
            }
        }
        return response.toString();
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
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "start", "--config",
                config.toString())
                .redirectErrorStream(true)
                .start();
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

    /** CLIENTS concurrent SMTP sessions sending MESSAGES messages in all, until done or the server dies. */
    private static final class Load {
        final Set<String> attempted = ConcurrentHashMap.newKeySet();
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final CountDownLatch firstAck = new CountDownLatch(1);
        private final List<Thread> clients = new ArrayList<>();

        Load(int trial, int port) {
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(new Thread(() -> send(trial, client, port), "client-" + c));
            }
        }

        void start() {
            clients.forEach(Thread::start);
        }

        void join() throws InterruptedException {
            for (Thread client : clients) {
                client.join(60_000);
            }
        }

        private void send(int trial, int client, int port) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(30_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
                OutputStream out = socket.getOutputStream();
                expect(in, "220");
                out.write("EHLO crash.test\r\n".getBytes(StandardCharsets.US_ASCII));
                String line;
                while ((line = in.readLine()) != null && line.startsWith("250-")) {
                    // extensions
                }
                for (int n = client; n < MESSAGES; n += CLIENTS) {
                    String id = "<t" + trial + "-m" + n + "@crash.test>";
                    out.write(("MAIL FROM:<bob@crash.test>\r\nRCPT TO:<" + USER + ">\r\nDATA\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                    expect(in, "250");
                    expect(in, "250");
                    expect(in, "354");
                    attempted.add(id);
                    out.write(("From: bob@crash.test\r\nTo: " + USER + "\r\nSubject: load " + n + "\r\nMessage-ID: "
                        + id + "\r\n\r\n" + "line of the body\r\n".repeat(100) + ".\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                    expect(in, "250");
                    acknowledged.add(id);
                    firstAck.countDown();
                }
            } catch (IOException serverKilled) {
                // expected: the load runs until the server dies
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
