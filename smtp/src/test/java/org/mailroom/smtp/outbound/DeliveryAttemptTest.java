package org.mailroom.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.smtp.policy.DnsClient;
import org.mailroom.smtp.policy.DnsSettings;
import org.mailroom.storage.queue.DeliveryReply;
import org.mailroom.testing.TestCertificate;
import org.mailroom.testing.TestDnsServer;
import org.mailroom.testing.TestSmtpReceiver;

/**
 * One delivery attempt against real DNS and SMTP servers on loopback: routing (MX order, implicit MX, null MX),
 * per-recipient replies through Angus, opportunistic STARTTLS, and every bad input ending as a precise temporary
 * or permanent reply rather than an exception, with the next attempt unaffected.
 */
class DeliveryAttemptTest {

    static TestDnsServer dns;
    static TestSmtpReceiver receiver;
    static int port;
    static DeliveryAttempt attempt;
    static final byte[] MESSAGE = ("From: alice@example.test\r\nTo: dave@remote.test\r\nSubject: hello\r\n\r\n"
        + "Hello Dave,\r\n.leading dot\r\n").getBytes(StandardCharsets.US_ASCII);

    @BeforeAll
    static void start(@TempDir java.nio.file.Path dir) throws Exception {
        dns = TestDnsServer.start();
        TestCertificate certificate = TestCertificate.generate(dir);
        receiver = TestSmtpReceiver.start(InetAddress.getByName("127.0.0.1"), 0, certificate.serverContext());
        port = receiver.port();
        attempt = attempt(Optional.empty());
    }

    static DeliveryAttempt attempt(Optional<Smarthost> smarthost) {
        OutboundSettings settings = new OutboundSettings("mx.example.test", port, Duration.ofSeconds(1),
            Duration.ofMillis(1500), RetrySchedule.defaults(), Duration.ofDays(5), Optional.empty(), smarthost, 1);
        DnsClient client = DnsClient.of(DnsSettings.of(dns.address(), Duration.ofMillis(800)));
        return new DeliveryAttempt(new MxRouter(client, new Random()), new SmtpTransfer(settings), settings);
    }

    @AfterAll
    static void stop() {
        receiver.close();
        dns.close();
    }

    @BeforeEach
    void reset() {
        // A connection left open by the previous test would skip the greeting a test scripts (garbage, over-long).
        attempt.closeIdleConnections();
        dns.clear();
        receiver.setBehaviour(TestSmtpReceiver.Behaviour.NORMAL);
        dns.addMx("remote.test", 10, "mx.remote.test").addA("mx.remote.test", "127.0.0.1");
    }

    private static Map<String, DeliveryAttempt.Answer> send(String... recipients) {
        return attempt.deliver(1, "alice@example.test", List.of(recipients), MESSAGE);
    }

    @Test
    void perRecipientRepliesOverOpportunisticStartTls() {
        receiver.answer("erin@remote.test", "550 5.1.1 <erin@remote.test>: no such user");
        receiver.answer("gina@remote.test", "452 4.2.2 mailbox full");
        int before = receiver.received().size();

        Map<String, DeliveryAttempt.Answer> answers = send("dave@remote.test", "erin@remote.test", "gina@remote.test");

        assertThat(answers.get("dave@remote.test").reply().code()).isEqualTo(250);
        assertThat(answers.get("dave@remote.test").host()).contains("mx.remote.test");
        assertThat(answers.get("erin@remote.test").reply()).isEqualTo(
            new DeliveryReply(550, "5.1.1", "<erin@remote.test>: no such user"));
        assertThat(answers.get("gina@remote.test").reply()).isEqualTo(new DeliveryReply(452, "4.2.2", "mailbox full"));
        TestSmtpReceiver.Received received = receiver.received().get(before);
        assertThat(received.recipients()).containsExactly("dave@remote.test");
        assertThat(received.sender()).isEqualTo("alice@example.test");
        assertThat(received.data()).contains("Subject: hello", "\r\n.leading dot\r\n");
        assertThat(receiver.commands()).contains("STARTTLS", "MAIL FROM:<alice@example.test> SIZE=" + MESSAGE.length);
    }

    @Test
    void mxHostsAreTriedInPreferenceOrderAndAnUnreachableOneIsSkipped() {
        dns.clear();
        // Preference 5 is 127.0.0.2, where nothing listens on the port: refused, then the next MX takes it.
        dns.addMx("remote.test", 20, "backup.remote.test").addMx("remote.test", 5, "dead.remote.test")
            .addA("dead.remote.test", "127.0.0.2").addA("backup.remote.test", "127.0.0.1");
        Map<String, DeliveryAttempt.Answer> answers = send("dave@remote.test");
        assertThat(answers.get("dave@remote.test").reply().code()).isEqualTo(250);
        assertThat(answers.get("dave@remote.test").host()).contains("backup.remote.test");
    }

    @Test
    void noMxFallsBackToTheDomainsOwnAddress() {
        dns.addA("plain.test", "127.0.0.1");
        assertThat(send("dave@plain.test").get("dave@plain.test").reply().code()).isEqualTo(250);
    }

    @Test
    void nullMxAndMissingDomainsBounceAtOnce() {
        dns.addNullMx("nomail.test");
        dns.addTxt("noaddress.test", "v=spf1 -all");
        Map<String, DeliveryAttempt.Answer> answers = send("a@nomail.test", "b@nowhere.test", "c@noaddress.test");
        assertThat(answers.get("a@nomail.test").reply()).satisfies(r -> {
            assertThat(r.code()).isEqualTo(556);
            assertThat(r.status()).isEqualTo("5.1.10");
        });
        assertThat(answers.get("b@nowhere.test").reply().status()).isEqualTo("5.1.2");
        assertThat(answers.get("c@noaddress.test").reply().status()).isEqualTo("5.1.2");
        assertThat(answers.get("c@noaddress.test").reply().text()).contains("no MX and no address");
    }

    @Test
    void anMxHostThatDoesNotResolveIsATemporaryFailure() {
        dns.addMx("ghost.test", 10, "nothing.ghost.test");
        DeliveryReply reply = send("a@ghost.test").get("a@ghost.test").reply();
        assertThat(reply.code()).isEqualTo(451);
        assertThat(reply.status()).isEqualTo("4.4.4");
        assertThat(reply.text()).contains("no address for nothing.ghost.test");
        assertThat(send("dave@remote.test").get("dave@remote.test").reply().code()).isEqualTo(250);
    }

    @Test
    void aCnameLoopIsATemporaryFailureNotAHang() {
        dns.addMx("loop.test", 10, "a.loop.test").addCname("a.loop.test", "b.loop.test")
            .addCname("b.loop.test", "a.loop.test");
        DeliveryReply reply = send("a@loop.test").get("a@loop.test").reply();
        assertThat(reply.status()).isEqualTo("4.4.4");
        assertThat(reply.text()).contains("CNAME loop");
    }

    @Test
    void aCnameChainToARealHostIsFollowed() {
        dns.addMx("alias.test", 10, "mail.alias.test").addCname("mail.alias.test", "mx.remote.test");
        assertThat(send("a@alias.test").get("a@alias.test").reply().code()).isEqualTo(250);
    }

    @Test
    void aDnsTimeoutIsATemporaryFailure() {
        dns.silenceFor("slow.test");
        long start = System.nanoTime();
        DeliveryReply reply = send("a@slow.test").get("a@slow.test").reply();
        assertThat(reply.code()).isEqualTo(451);
        assertThat(reply.status()).isEqualTo("4.4.3");
        assertThat(reply.text()).contains("timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aRemoteThatHangsAfterDataTimesOut() {
        receiver.setBehaviour(TestSmtpReceiver.Behaviour.HANG_AFTER_DATA);
        DeliveryReply reply = send("dave@remote.test").get("dave@remote.test").reply();
        assertThat(reply.code()).isEqualTo(451);
        assertThat(reply.status()).isEqualTo("4.4.2");
        assertThat(reply.text()).contains("timed out");
    }

    @Test
    void aRemoteAnsweringGarbageIsAProtocolError() {
        receiver.setBehaviour(TestSmtpReceiver.Behaviour.GARBAGE_GREETING);
        DeliveryReply reply = send("dave@remote.test").get("dave@remote.test").reply();
        assertThat(reply.code()).isEqualTo(451);
        assertThat(reply.status()).isEqualTo("4.5.0");
        receiver.setBehaviour(TestSmtpReceiver.Behaviour.NORMAL);
        assertThat(send("dave@remote.test").get("dave@remote.test").reply().code()).isEqualTo(250);
    }

    @Test
    void anOverlongReplyLineIsCutOffAndTemporary() {
        receiver.setBehaviour(TestSmtpReceiver.Behaviour.OVERLONG_GREETING);
        DeliveryReply reply = send("dave@remote.test").get("dave@remote.test").reply();
        assertThat(reply.code()).isEqualTo(451);
        assertThat(reply.status()).isEqualTo("4.5.0");
        assertThat(reply.text()).contains("over-long reply");
    }

    @Test
    void aSmarthostTakesEveryDomain() {
        DeliveryAttempt viaRelay = attempt(Optional.of(new Smarthost("127.0.0.1", port, Smarthost.Security.NONE,
            Optional.empty(), Optional.empty())));
        dns.clear();
        Map<String, DeliveryAttempt.Answer> answers = viaRelay.deliver(2, "", List.of("x@unknown.test"), MESSAGE);
        assertThat(answers.get("x@unknown.test").reply().code()).isEqualTo(250);
        assertThat(dns.queries()).isEmpty();
        assertThat(receiver.received().get(receiver.received().size() - 1).sender()).isEmpty();
        assertThat(receiver.commands()).contains("MAIL FROM:<> SIZE=" + MESSAGE.length);
    }
}
