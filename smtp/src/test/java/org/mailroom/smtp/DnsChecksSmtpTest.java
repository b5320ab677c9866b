package org.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.smtp.MailroomSmtpServer.Mode;
import org.mailroom.smtp.delivery.Placement;
import org.mailroom.smtp.delivery.RecipientSorting;
import org.mailroom.smtp.policy.DnsChecks;
import org.mailroom.smtp.policy.DnsSettings;
import org.mailroom.smtp.policy.DnsblZone;
import org.mailroom.smtp.policy.SessionVerdicts;
import org.mailroom.smtp.policy.SpfResult;
import org.mailroom.testing.TestDnsServer;


/**
 * DNSBL and SPF on the MX listener over real sockets, with a real DNS responder on loopback. The client connects
 * from 127.0.0.1, so the listener runs with {@code lookupLocalClients} (otherwise loopback is never looked up).
 */
class DnsChecksSmtpTest {

    @TempDir
    static Path directory;

    static SmtpTestServers fixture;
    static TestDnsServer dns;
    static MailroomSmtpServer server;
    static final List<SessionVerdicts> seen = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        fixture = new SmtpTestServers(directory);
        dns = TestDnsServer.start();
        RecipientSorting recording = (message, size, mailFrom, facts, verdicts) -> {
            seen.add(verdicts);
            return user -> Placement.inbox();
        };
        server = fixture.start(MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK, 0, Mode.INBOUND, "mx.example.test")
            .withDnsChecks(DnsChecks.defaults()
                .withDnsbl(List.of(DnsblZone.reject("block.test"), DnsblZone.score("score.test")))
                .withDns(DnsSettings.of(dns.address(), Duration.ofSeconds(1)))
                .withLookupLocalClients(true)), recording);
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
        dns.close();
    }

    @BeforeEach
    void reset() throws Exception {
        fixture.emptyInboxes();
        dns.clear();
        seen.clear();
    }

    private static String send(String sender) throws Exception {
        try (RawSmtp smtp = RawSmtp.connect(server.port())) {
            assertThat(smtp.reply()).startsWith("220 ");
            assertThat(smtp.command("EHLO client.example.org")).startsWith("250");
            assertThat(smtp.command("MAIL FROM:<" + sender + ">")).startsWith("250");
            String rcpt = smtp.command("RCPT TO:<alice@example.test>");
            if (!rcpt.startsWith("250")) {
                return rcpt;
            }
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send("Subject: dns\r\n\r\nbody\r\n.\r\n");
            return smtp.reply();
        }
    }

    @Test
    void rejectZoneListingRefusesAtRcptWithTheListText() throws Exception {
        dns.addA("1.0.0.127.block.test", "127.0.0.2");
        dns.addTxt("1.0.0.127.block.test", "Listed: see https://block.test/lookup?127.0.0.1");
        assertThat(send("sender@example.org"))
            .isEqualTo("554 5.7.1 block.test: Listed: see https://block.test/lookup?127.0.0.1");
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).isEmpty();
    }

    @Test
    void rejectZoneWithoutTxtUsesTheDefaultReason() throws Exception {
        dns.addA("1.0.0.127.block.test", "127.0.0.4");
        assertThat(send("sender@example.org")).isEqualTo("554 5.7.1 block.test: client address listed");
    }

    @Test
    void scoreZoneListingIsAcceptedAndHandedToTheSorter() throws Exception {
        dns.addA("1.0.0.127.score.test", "127.0.0.10");
        dns.addTxt("1.0.0.127.score.test", "policy listing");
        assertThat(send("sender@example.org")).startsWith("250 2.6.0");
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).hasSize(1);
        assertThat(seen).singleElement().satisfies(verdicts -> {
            assertThat(verdicts.listed()).isTrue();
            assertThat(verdicts.dnsbl()).singleElement().satisfies(listing -> {
                assertThat(listing.zone()).isEqualTo("score.test");
                assertThat(listing.action()).isEqualTo(DnsblZone.Action.SCORE);
                assertThat(listing.codes()).containsExactly("127.0.0.10");
                assertThat(listing.reason()).isEqualTo("policy listing");
            });
        });
    }

    @Test
    void unlistedClientIsAccepted() throws Exception {
        assertThat(send("sender@example.org")).startsWith("250 2.6.0");
        assertThat(seen).singleElement().satisfies(verdicts -> assertThat(verdicts.listed()).isFalse());
        assertThat(dns.queries()).contains("1.0.0.127.block.test. A", "1.0.0.127.score.test. A");
    }

    @Test
    void silentDnsFailsOpenWithinTheTimeout() throws Exception {
        dns.addA("1.0.0.127.block.test", "127.0.0.2");
        dns.setSilent(true);
        long start = System.nanoTime();
        // SPF (temperror) and both zones time out; the message is still accepted.
        assertThat(send("sender@example.org")).startsWith("250 2.6.0");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).singleElement()
            .satisfies(message -> assertThat(message).startsWith("Received-SPF: temperror "));
    }

    @Test
    void dnsServerDownFailsOpen() throws Exception {
        TestDnsServer gone = TestDnsServer.start();
        gone.close();
        // A listener pointed at a closed port: ICMP unreachable or a timeout, either way the client is accepted.
        MailroomSmtpServer down = fixture.start(MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK, 0,
                Mode.INBOUND, "mx.example.test")
            .withDnsChecks(DnsChecks.defaults().withDnsbl(List.of(DnsblZone.reject("block.test")))
                .withDns(DnsSettings.of(gone.address(), Duration.ofSeconds(1))).withLookupLocalClients(true)),
            RecipientSorting.inbox());
        long start = System.nanoTime();
        try (RawSmtp smtp = RawSmtp.connect(down.port())) {
            smtp.reply();
            smtp.command("EHLO client.example.org");
            assertThat(smtp.command("MAIL FROM:<sender@example.org>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<alice@example.test>")).startsWith("250");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void spfPassIsRecordedAndWrittenAsReceivedSpf() throws Exception {
        dns.addTxt("example.org", "v=spf1 ip4:127.0.0.0/8 -all");
        assertThat(send("sender@example.org")).startsWith("250 2.6.0");
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).singleElement().satisfies(message -> {
            assertThat(message).startsWith("Received-SPF: pass (mx.example.test: domain of sender@example.org"
                + " designates 127.0.0.1 as permitted sender)\r\n\tclient-ip=127.0.0.1;"
                + " envelope-from=\"sender@example.org\"; helo=client.example.org;\r\n"
                + "\treceiver=mx.example.test; identity=mailfrom; mechanism=\"ip4:127.0.0.0/8\";\r\n"
                + "Received: from client.example.org ([127.0.0.1])");
        });
        assertThat(seen).singleElement().satisfies(verdicts ->
            assertThat(verdicts.spf()).get().extracting(SpfResult::result).isEqualTo(SpfResult.Result.PASS));
    }

    @Test
    void spfFailIsRecordedButNotRejected() throws Exception {
        dns.addTxt("example.org", "v=spf1 -all");
        assertThat(send("sender@example.org")).startsWith("250 2.6.0");
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).singleElement()
            .satisfies(message -> assertThat(message).startsWith("Received-SPF: fail "));
    }
}
