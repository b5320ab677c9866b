package org.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.smtp.MailroomSmtpServer.Mode;
import org.mailroom.smtp.delivery.RecipientSorting;

/**
 * The same server driven by {@code swaks}, a real third-party SMTP client: inbound, submission with AUTH over
 * STARTTLS and implicit TLS, relay refusal, size limit, pipelining. Skipped when swaks is not installed.
 */
class SwaksScriptTest {

    @TempDir
    static Path directory;

    static SmtpTestServers fixture;
    static MailroomSmtpServer inbound;
    static MailroomSmtpServer submission;
    static MailroomSmtpServer submissionTls;

    @BeforeAll
    static void start() throws Exception {
        boolean installed = Files.isExecutable(Path.of("/usr/bin/swaks"));
        // CI installs swaks (.ci/run): there a missing client is a failure, not a reason to skip.
        if (System.getenv("CI") != null && !installed) {
            throw new IllegalStateException("swaks is required in CI but /usr/bin/swaks is missing");
        }
        assumeTrue(installed, "swaks is not installed (apt-get install swaks)");
        fixture = new SmtpTestServers(directory);
        inbound = fixture.start(MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK, 0, Mode.INBOUND, "mx.example.test")
            .withLimits(MailroomSmtpServer.Limits.defaults().withMaxMessageSize(10_000)), RecipientSorting.inbox());
        submission = fixture.start(Mode.SUBMISSION_STARTTLS);
        submissionTls = fixture.start(Mode.SUBMISSION_IMPLICIT_TLS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @BeforeEach
    void emptyMailboxes() throws Exception {
        fixture.emptyInboxes();
    }

    /** Runs swaks; returns its exit code and transcript. */
    private static Result swaks(int port, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(port),
            "--helo", "client.example.org", "--timeout", "20"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private record Result(int exit, String transcript) {
    }

    @Test
    void inboundDelivery() throws Exception {
        Result result = swaks(inbound.port(), "--from", "sender@example.org", "--to", SmtpTestServers.ALICE,
            "--header", "Subject: via swaks");
        assertThat(result.exit()).as(result.transcript()).isZero();
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).singleElement().asString().contains("Subject: via swaks");
    }

    @Test
    void inboundDeliveryWithPipelining() throws Exception {
        Result result = swaks(inbound.port(), "--pipeline", "--from", "sender@example.org",
            "--to", SmtpTestServers.ALICE + "," + SmtpTestServers.BOB, "--header", "Subject: pipelined");
        assertThat(result.exit()).as(result.transcript()).isZero();
        assertThat(result.transcript()).contains("PIPELINING");
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).hasSize(1);
        assertThat(fixture.inbox(SmtpTestServers.BOB)).hasSize(1);
    }

    @Test
    void relayIsRefused() throws Exception {
        Result result = swaks(inbound.port(), "--from", "sender@example.org", "--to", "victim@remote.example");
        assertThat(result.exit()).isNotZero();
        assertThat(result.transcript()).contains("550 5.7.1");
    }

    @Test
    void oversizeIsRefused() throws Exception {
        Result result = swaks(inbound.port(), "--from", "sender@example.org", "--to", SmtpTestServers.ALICE,
            "--body", ("x".repeat(99) + "\n").repeat(200));
        assertThat(result.exit()).isNotZero();
        assertThat(result.transcript()).contains("552 5.3.4");
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).isEmpty();
    }

    @Test
    void anOverlongLineInDataIsRefusedNotTruncated() throws Exception {
        Result result = swaks(inbound.port(), "--from", "sender@example.org", "--to", SmtpTestServers.ALICE,
            "--body", "y".repeat(9_000));
        assertThat(result.exit()).isNotZero();
        assertThat(result.transcript()).contains("500 5.5.6").doesNotContain("250 2.6.0");
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).isEmpty();
    }

    @Test
    void submissionWithAuthOverStartTls() throws Exception {
        Result result = swaks(submission.port(), "--tls", "--auth", "PLAIN", "--auth-user", SmtpTestServers.ALICE,
            "--auth-password", SmtpTestServers.PASSWORD, "--from", SmtpTestServers.ALICE, "--to", SmtpTestServers.BOB,
            "--header", "Subject: submitted");
        assertThat(result.exit()).as(result.transcript()).isZero();
        assertThat(fixture.inbox(SmtpTestServers.BOB)).singleElement().asString().contains("with ESMTPSA");
    }

    @Test
    void submissionWithAuthLoginOverImplicitTls() throws Exception {
        Result result = swaks(submissionTls.port(), "--tlsc", "--auth", "LOGIN", "--auth-user", SmtpTestServers.ALICE,
            "--auth-password", SmtpTestServers.PASSWORD, "--from", SmtpTestServers.ALICE, "--to", SmtpTestServers.BOB);
        assertThat(result.exit()).as(result.transcript()).isZero();
        assertThat(fixture.inbox(SmtpTestServers.BOB)).hasSize(1);
    }

    @Test
    void authWithoutTlsIsRefused() throws Exception {
        Result result = swaks(submission.port(), "--auth", "PLAIN", "--auth-user", SmtpTestServers.ALICE,
            "--auth-password", SmtpTestServers.PASSWORD, "--from", SmtpTestServers.ALICE, "--to", SmtpTestServers.BOB);
        assertThat(result.exit()).isNotZero();
        assertThat(fixture.inbox(SmtpTestServers.BOB)).isEmpty();
    }
}
