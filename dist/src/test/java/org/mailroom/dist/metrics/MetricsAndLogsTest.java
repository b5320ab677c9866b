package org.mailroom.dist.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.dist.CliRun;
import org.mailroom.dist.RunningMailroom;
import org.mailroom.dist.TestServer;
import org.mailroom.testing.TestSmtpReceiver;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * Real traffic against a launched server (raw SMTP to the MX port, Angus Mail over submission with STARTTLS and
 * AUTH, a failed IMAP LOGIN over TLS, outbound delivery to a smarthost that accepts one recipient, refuses one for
 * good and one for now), then {@code /metrics} scraped over HTTP and parsed as Prometheus parses the text format;
 * and the log lines of those transactions, captured, with no password in any line.
 */
class MetricsAndLogsTest {
    private static final String PASSWORD = "correct horse battery";

    @TempDir
    static Path dir;

    private static RunningMailroom server;
    private static TestSmtpReceiver smarthost;
    private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void launch() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        LOGS.start();
        root.addAppender(LOGS);
        smarthost = TestSmtpReceiver.start(InetAddress.getLoopbackAddress(), 0, null);
        smarthost.answer("gone@remote.example", "550 5.1.1 no such user");
        smarthost.answer("later@remote.example", "451 4.3.0 try later");
        Path config = TestServer.config(dir);
        Files.writeString(config, Files.readString(config) + "outbound:\n  smarthost:\n    host: 127.0.0.1\n"
            + "    port: " + smarthost.port() + "\n    security: none\n");
        assertThat(CliRun.run(dir, "", "--config", config.toString(), "admin", "domain", "add", "example.org")
            .exitCode()).isZero();
        CliRun user = CliRun.run(dir, PASSWORD + "\n", "--config", config.toString(), "admin", "user", "add",
            "alice@example.org", "--password-stdin");
        assertThat(user.exitCode()).as(user.err()).isZero();
        // The in-process admin commands above quiet logging to warnings (as the CLI does); the server logs at INFO.
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(ch.qos.logback.classic.Level.INFO);
        server = TestServer.launch(config);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (smarthost != null) {
            smarthost.close();
        }
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
    }

    @Test
    void trafficMovesTheMetersAndEachTransactionAndAttemptIsOneLogLine() throws Exception {
        Map<String, Double> before = scrape().samples();

        mxTransaction("<mx-1@remote.example>");
        submit("alice@example.org", PASSWORD, "<sub-1@example.org>", "bob@remote.example", "gone@remote.example",
            "later@remote.example");
        assertThatThrownBy(() -> submit("alice@example.org", "wrong password!", "<sub-2@example.org>",
            "bob@remote.example")).isInstanceOf(AuthenticationFailedException.class);
        Scrape whileConnected;
        try (SSLSocket imap = imapsLoginFailure()) {
            whileConnected = scrape();
        }

        Scrape after = awaitOutboundAttempt();
        Map<String, Double> now = after.samples();
        assertThat(moved(before, now, "mailroom_smtp_messages_received_total{listener=\"mx\"}")).isEqualTo(1);
        assertThat(moved(before, now, "mailroom_smtp_messages_received_total{listener=\"submission\"}")).isEqualTo(1);
        assertThat(moved(before, now, "mailroom_smtp_data_reply_seconds_count{listener=\"mx\"}")).isEqualTo(1);
        assertThat(now).containsKey("mailroom_smtp_data_reply_seconds_bucket{listener=\"mx\",le=\"+Inf\"}");
        assertThat(moved(before, now, "mailroom_auth_failures_total{protocol=\"smtp\"}")).isEqualTo(1);
        assertThat(moved(before, now, "mailroom_auth_failures_total{protocol=\"imap\"}")).isEqualTo(1);
        assertThat(whileConnected.samples().get("mailroom_imap_sessions")).isGreaterThanOrEqualTo(1);
        assertThat(moved(before, now, "mailroom_sorter_messages_total{category=\"inbox\",folder=\"INBOX\"}"))
            .isEqualTo(1);
        assertThat(moved(before, now, "mailroom_sorter_decision_seconds_count")).isEqualTo(1);
        assertThat(moved(before, now, "mailroom_outbound_recipients_total{result=\"delivered\"}")).isEqualTo(1);
        assertThat(moved(before, now, "mailroom_outbound_recipients_total{result=\"bounced\"}")).isEqualTo(1);
        assertThat(moved(before, now, "mailroom_outbound_recipients_total{result=\"deferred\"}")).isEqualTo(1);
        assertThat(moved(before, now, "mailroom_outbound_attempt_seconds_count")).isEqualTo(1);
        // The deferred recipient keeps its message in the queue.
        assertThat(now.get("mailroom_outbound_queue_messages")).isEqualTo(1);

        assertThat(after.types()).containsEntry("mailroom_smtp_messages_received_total", "counter")
            .containsEntry("mailroom_auth_failures_total", "counter")
            .containsEntry("mailroom_outbound_recipients_total", "counter")
            .containsEntry("mailroom_sorter_messages_total", "counter")
            .containsEntry("mailroom_smtp_data_reply_seconds", "histogram")
            .containsEntry("mailroom_outbound_attempt_seconds", "histogram")
            .containsEntry("mailroom_sorter_decision_seconds", "histogram")
            .containsEntry("mailroom_imap_sessions", "gauge")
            .containsEntry("mailroom_outbound_queue_messages", "gauge");

        List<String> lines = LOGS.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("smtp mx session=\\S+ client=127\\.0\\.0\\.1 "
            + "message-id=<mx-1@remote\\.example> from=<sender@remote\\.example> rcpts=1 size=\\d+ result=accepted "
            + "reply=\"250 2\\.6\\.0 .*\" took=\\d+ms delivered=\\[alice@example\\.org\\]"));
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("smtp submission session=\\S+ client=127\\.0\\.0\\.1 "
            + "message-id=<sub-1@example\\.org> from=<alice@example\\.org> rcpts=3 size=\\d+ result=accepted "
            + "reply=\"250 .*\" took=\\d+ms queued=\\d+"));
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("outbound queue=\\d+ "
            + "message-id=<sub-1@example\\.org> to=\\[bob@remote\\.example\\] host=127\\.0\\.0\\.1 result=delivered "
            + "reply=\"250 .*\" took=\\d+ms"));
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("outbound queue=\\d+ "
            + "message-id=<sub-1@example\\.org> to=\\[gone@remote\\.example\\] host=127\\.0\\.0\\.1 result=bounced "
            + "reply=\"550 5\\.1\\.1 .*\" took=\\d+ms"));
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("outbound queue=\\d+ "
            + "message-id=<sub-1@example\\.org> to=\\[later@remote\\.example\\] host=127\\.0\\.0\\.1 result=deferred "
            + "reply=\"451 4\\.3\\.0 .*\" took=\\d+ms"));
        // Secrets never reach the log, in clear or as the AUTH PLAIN / LOGIN payloads that carry them.
        String all = String.join("\n", lines);
        assertThat(all).doesNotContain(PASSWORD, "wrong password!",
            base64(PASSWORD), base64("wrong password!"), base64("\0alice@example.org\0" + PASSWORD));
    }

    private static long moved(Map<String, Double> before, Map<String, Double> after, String series) {
        assertThat(after).as("series " + series).containsKey(series);
        return Math.round(after.get(series) - before.getOrDefault(series, 0.0));
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void mxTransaction(String messageId) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.smtpPort())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            assertThat(in.readLine()).startsWith("220");
            command(out, in, "HELO remote.example", "250");
            command(out, in, "MAIL FROM:<sender@remote.example>", "250");
            command(out, in, "RCPT TO:<alice@example.org>", "250");
            command(out, in, "DATA", "354");
            command(out, in, "From: sender@remote.example\r\nTo: alice@example.org\r\nSubject: hello\r\n"
                + "Message-ID: " + messageId + "\r\n\r\nA plain message.\r\n.", "250");
            command(out, in, "QUIT", "221");
        }
    }

    private static void command(OutputStream out, BufferedReader in, String line, String expected) throws Exception {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String reply;
        do {
            reply = in.readLine();
        } while (reply != null && reply.length() > 3 && reply.charAt(3) == '-');
        assertThat(reply).as(line).startsWith(expected);
    }

    private static void submit(String user, String password, String messageId, String... to) throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(server.submissionPort()));
        props.put("mail.smtp.auth", "true");
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.starttls.required", "true");
        props.put("mail.smtp.ssl.trust", "*");
        props.put("mail.smtp.ssl.checkserveridentity", "false");
        Session session = Session.getInstance(props);
        MimeMessage message = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws jakarta.mail.MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        message.setFrom(new InternetAddress(user));
        for (String rcpt : to) {
            message.addRecipient(Message.RecipientType.TO, new InternetAddress(rcpt));
        }
        message.setSubject("outbound");
        message.setText("Going out.");
        Transport.send(message, user, password);
    }

    private static SSLSocket imapsLoginFailure() throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        SSLSocket socket = (SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", server.imapTlsPort());
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        OutputStream out = socket.getOutputStream();
        assertThat(in.readLine()).startsWith("* OK");
        out.write("a1 LOGIN alice@example.org \"not the password\"\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(in.readLine()).startsWith("a1 NO");
        return socket;
    }

    private static Scrape awaitOutboundAttempt() throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            Scrape scrape = scrape();
            if (scrape.samples().getOrDefault("mailroom_outbound_attempt_seconds_count", 0.0) >= 1
                || System.nanoTime() > deadline) {
                return scrape;
            }
            Thread.sleep(100);
        }
    }

    /** A scrape: sample values by series ({@code name{labels}}), and metric types from the TYPE lines. */
    record Scrape(Map<String, Double> samples, Map<String, String> types) {
    }

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{.*\\})? (\\S+)");

    private static Scrape scrape() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Double> samples = new HashMap<>();
        Map<String, String> types = new HashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                types.put(parts[2], parts[3]);
            } else if (!line.startsWith("#") && !line.isBlank()) {
                Matcher m = SAMPLE.matcher(line);
                assertThat(m.matches()).as(line).isTrue();
                samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
            }
        }
        return new Scrape(samples, types);
    }
}
