package org.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.smtp.delivery.RecipientSorting;
import org.mailroom.smtp.outbound.OutboundService;
import org.mailroom.smtp.outbound.OutboundSettings;
import org.mailroom.smtp.outbound.RetrySchedule;
import org.mailroom.smtp.policy.DnsClient;
import org.mailroom.smtp.policy.DnsSettings;
import org.mailroom.testing.TestDnsServer;
import org.mailroom.testing.TestSmtpReceiver;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

/**
 * Outbound delivery end to end, with a compressed retry schedule (seconds): mail submitted over STARTTLS with AUTH
 * is queued for remote recipients and delivered to a real SMTP receiver found through a real DNS responder;
 * temporary failures are retried, permanent ones bounced to the local sender's INBOX as RFC 3464 reports, an
 * unreachable host gets a delay warning and then the final report. The MX listener still refuses to relay.
 */
class OutboundSmtpTest {

    static SmtpTestServers fixture;
    static TestDnsServer dns;
    static TestSmtpReceiver receiver;
    static MailroomSmtpServer submission;
    static MailroomSmtpServer inbound;
    static OutboundService outbound;
    /** Where submissions queue: the current test's outbound service. */
    static final org.mailroom.smtp.outbound.Outbox OUTBOX = (sender, recipients, message) ->
        outbound.enqueue(sender, recipients, message);

    @BeforeAll
    static void start(@TempDir Path directory) throws Exception {
        fixture = new SmtpTestServers(directory);
        dns = TestDnsServer.start();
        receiver = TestSmtpReceiver.start(InetAddress.getByName("127.0.0.1"), 0, fixture.certificate.serverContext());
        submission = fixture.start(MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK, 0,
            MailroomSmtpServer.Mode.SUBMISSION_STARTTLS, "mx.example.test"), RecipientSorting.inbox(), OUTBOX);
        inbound = fixture.start(MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK, 0,
            MailroomSmtpServer.Mode.INBOUND, "mx.example.test"), RecipientSorting.inbox(), OUTBOX);
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
        receiver.close();
        dns.close();
    }

    @BeforeEach
    void records() throws Exception {
        fixture.emptyInboxes();
        dns.clear();
        dns.addMx("remote.test", 10, "mx.remote.test").addA("mx.remote.test", "127.0.0.1");
        // 127.0.0.2 is loopback too, but nothing listens there: connection refused, every time.
        dns.addMx("unreachable.test", 10, "mx.unreachable.test").addA("mx.unreachable.test", "127.0.0.2");
    }

    @AfterEach
    void stopOutbound() {
        if (outbound != null) {
            outbound.close();
            outbound = null;
        }
    }

    private static void startOutbound(List<Duration> schedule, Duration lifetime, Optional<Duration> warnAfter) {
        OutboundSettings settings = new OutboundSettings("mx.example.test", receiver.port(), Duration.ofSeconds(1),
            Duration.ofSeconds(2), new RetrySchedule(schedule), lifetime, warnAfter, Optional.empty(), 2);
        outbound = fixture.outbound(settings, DnsClient.of(DnsSettings.of(dns.address(), Duration.ofSeconds(1))));
    }

    private static void submit(String subject, String... to) throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", "localhost");
        props.put("mail.smtp.port", String.valueOf(submission.port()));
        props.put("mail.smtp.auth", "true");
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.starttls.required", "true");
        props.put("mail.smtp.ssl.socketFactory", fixture.certificate.clientSocketFactory());
        props.put("mail.smtp.timeout", "10000");
        Session session = Session.getInstance(props);
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(SmtpTestServers.ALICE));
        for (String recipient : to) {
            message.addRecipient(Message.RecipientType.TO, new InternetAddress(recipient));
        }
        message.setSubject(subject);
        message.setText("Hello,\nsent through Mailroom's queue.\n");
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect(SmtpTestServers.ALICE, SmtpTestServers.PASSWORD);
            transport.sendMessage(message, message.getAllRecipients());
        }
    }

    private static long receivedFor(String recipient, String subject) {
        return receiver.received().stream()
            .filter(r -> r.recipients().contains(recipient) && r.data().contains("Subject: " + subject)).count();
    }

    @Test
    void submittedMailIsQueuedForRemoteRecipientsRetriedAfter4xxAndDeliveredExactlyOnce() throws Exception {
        startOutbound(List.of(Duration.ofSeconds(1)), Duration.ofMinutes(5), Optional.empty());
        receiver.answer("dave@remote.test", "451 4.3.0 greylisted", "451 4.3.0 greylisted", "250 2.1.5 OK");

        submit("retried", "dave@remote.test", SmtpTestServers.BOB);

        // The local copy is in Bob's INBOX when the 250 comes; the remote one after two deferrals.
        assertThat(fixture.inbox(SmtpTestServers.BOB)).singleElement().asString().contains("Subject: retried");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> receivedFor("dave@remote.test", "retried") == 1);
        TestSmtpReceiver.Received delivered = receiver.received().stream()
            .filter(r -> r.data().contains("Subject: retried")).findFirst().orElseThrow();
        assertThat(delivered.sender()).isEqualTo(SmtpTestServers.ALICE);
        assertThat(delivered.data()).startsWith("Received: from ").contains("with ESMTPSA");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> outbound.list(10).isEmpty());
        Thread.sleep(2500);
        assertThat(receivedFor("dave@remote.test", "retried")).isEqualTo(1);
        assertThat(receiver.commands().stream().filter(c -> c.equals("RCPT TO:<dave@remote.test>")).count())
            .isEqualTo(3);
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).isEmpty();
    }

    @Test
    void a5xxBouncesThatRecipientOnlyWithAReportInTheLocalSendersInbox() throws Exception {
        startOutbound(List.of(Duration.ofSeconds(1)), Duration.ofMinutes(5), Optional.empty());
        receiver.answer("erin@remote.test", "550 5.1.1 <erin@remote.test>: no such user");

        submit("half bounced", "erin@remote.test", "frank@remote.test");

        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> fixture.inbox(SmtpTestServers.ALICE).size() == 1);
        assertThat(receivedFor("frank@remote.test", "half bounced")).isEqualTo(1);
        assertThat(receivedFor("erin@remote.test", "half bounced")).isZero();

        MimeMessage report = parse(fixture.inbox(SmtpTestServers.ALICE).get(0));
        assertThat(report.getContentType()).contains("multipart/report").contains("report-type=delivery-status");
        assertThat(report.getRecipients(Message.RecipientType.TO)[0].toString()).isEqualTo(SmtpTestServers.ALICE);
        MimeMultipart parts = (MimeMultipart) report.getContent();
        assertThat(parts.getCount()).isEqualTo(3);
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("message/delivery-status");
        String status = new String(parts.getBodyPart(1).getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(status).contains("Reporting-MTA: dns; mx.example.test", "Final-Recipient: rfc822; erin@remote.test",
            "Action: failed", "Status: 5.1.1", "Remote-MTA: dns; mx.remote.test",
            "Diagnostic-Code: smtp; 550 5.1.1 <erin@remote.test>: no such user");
        assertThat(status).doesNotContain("frank@remote.test");
        assertThat(parts.getBodyPart(2).getContentType()).startsWith("text/rfc822-headers");
        assertThat(new String(parts.getBodyPart(2).getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
            .contains("Subject: half bounced").doesNotContain("sent through Mailroom's queue");
        // The report itself was never sent anywhere with a sender that could bounce back.
        assertThat(receiver.received()).noneMatch(r -> r.data().contains("delivery-status"));
    }

    @Test
    void anUnreachableHostGetsADelayWarningThenTheFinalReport() throws Exception {
        startOutbound(List.of(Duration.ofSeconds(1)), Duration.ofSeconds(5), Optional.of(Duration.ofSeconds(2)));

        submit("never arrives", "gus@unreachable.test");

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> fixture.inbox(SmtpTestServers.ALICE).size() == 2);
        List<String> reports = fixture.inbox(SmtpTestServers.ALICE);
        assertThat(reports.get(0)).contains("Action: delayed", "Status: 4.4.1", "Will-Retry-Until: ",
            "Final-Recipient: rfc822; gus@unreachable.test");
        assertThat(reports.get(1)).contains("Action: failed", "Status: 4.4.1",
            "Diagnostic-Code: smtp; 451 4.4.1 cannot connect to mx.unreachable.test[127.0.0.2]");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> outbound.list(10).isEmpty());
        Thread.sleep(1500);
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).hasSize(2);
    }

    @Test
    void theMxListenerStillRefusesToRelayWithTheQueueRunning() throws Exception {
        startOutbound(List.of(Duration.ofSeconds(1)), Duration.ofMinutes(5), Optional.empty());
        try (RawSmtp smtp = RawSmtp.connect(inbound.port())) {
            smtp.reply();
            smtp.command("EHLO client.example.org");
            assertThat(smtp.command("MAIL FROM:<alice@example.test>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<dave@remote.test>")).startsWith("550 5.7.1");
        }
        assertThat(outbound.list(10)).isEmpty();
    }

    @Test
    void submissionRefusesRoutingSyntaxForRemoteRecipients() throws Exception {
        startOutbound(List.of(Duration.ofSeconds(1)), Duration.ofMinutes(5), Optional.empty());
        try (RawSmtp smtp = RawSmtp.connect(submission.port())) {
            smtp.reply();
            smtp.command("EHLO client.example.org");
            smtp.startTls(fixture.certificate.clientSocketFactory());
            smtp.command("EHLO client.example.org");
            assertThat(smtp.command("AUTH PLAIN " + RawSmtp.plain(SmtpTestServers.ALICE, SmtpTestServers.PASSWORD)))
                .startsWith("235");
            assertThat(smtp.command("MAIL FROM:<alice@example.test>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<victim%other.test@remote.test>")).startsWith("553 5.1.3");
            assertThat(smtp.command("RCPT TO:<dave@remote.test>")).startsWith("250");
        }
    }

    private static MimeMessage parse(String text) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()),
            new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }
}
