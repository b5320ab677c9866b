package org.mailroom.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailroom.smtp.policy.DnsClient;
import org.mailroom.smtp.policy.DnsSettings;
import org.mailroom.testing.TestDnsServer;
import org.mailroom.testing.TestSmtpReceiver;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

/**
 * RFC 6152: an 8-bit message goes to a remote that offers 8BITMIME as it is, with BODY=8BITMIME, and to one that
 * does not converted to 7 bit (text parts quoted-printable, other parts base64), signed after the conversion; what
 * arrives decodes to the same text and bytes. Real DNS and SMTP receiver on loopback, Angus as the client.
 */
class EightBitMimeTest {

    static TestDnsServer dns;
    static TestSmtpReceiver receiver;
    static final List<byte[]> signed = new CopyOnWriteArrayList<>();
    static DeliveryAttempt attempt;

    static final String TEXT = "Grüße aus Köln, ça va? 日本語\r\n.dot line\r\n";
    static final byte[] BINARY = {(byte) 0xff, (byte) 0xfe, 'a', (byte) 0x80, 13, 10, 0x7f, (byte) 0xc3};

    @BeforeAll
    static void start() throws Exception {
        dns = TestDnsServer.start();
        receiver = TestSmtpReceiver.start(InetAddress.getByName("127.0.0.1"), 0, null);
        OutboundSettings settings = new OutboundSettings("mx.example.test", receiver.port(), Duration.ofSeconds(1),
            Duration.ofSeconds(2), RetrySchedule.defaults(), Duration.ofDays(5), Optional.empty(), Optional.empty(), 1);
        attempt = new DeliveryAttempt(new MxRouter(DnsClient.of(DnsSettings.of(dns.address(), Duration.ofSeconds(1))),
            new Random()), new SmtpTransfer(settings), settings);
    }

    @AfterAll
    static void stop() {
        attempt.close();
        receiver.close();
        dns.close();
    }

    static int commandsBefore;

    /** Commands the receiver got in the current test. */
    static List<String> commands() {
        List<String> all = receiver.commands();
        return all.subList(commandsBefore, all.size());
    }

    @BeforeEach
    void reset() {
        commandsBefore = receiver.commands().size();
        attempt.closeIdleConnections();
        signed.clear();
        dns.clear();
        dns.addMx("remote.test", 10, "mx.remote.test").addA("mx.remote.test", "127.0.0.1");
    }

    private static OutgoingMessage outgoing(byte[] message) {
        return new OutgoingMessage(message, bytes -> {
            signed.add(bytes);
            byte[] header = "X-Test-Signed: yes\r\n".getBytes(StandardCharsets.US_ASCII);
            byte[] out = new byte[header.length + bytes.length];
            System.arraycopy(header, 0, out, 0, header.length);
            System.arraycopy(bytes, 0, out, header.length, bytes.length);
            return out;
        });
    }

    private static byte[] plainEightBit() {
        return ("From: alice@example.test\r\nTo: dave@remote.test\r\nSubject: umlauts\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + TEXT)
            .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] multipartEightBit() {
        byte[] head = ("From: alice@example.test\r\nTo: dave@remote.test\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + "--b1\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + TEXT
            + "\r\n--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nplain ascii part\r\n"
            + "\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\r\n--b1--\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + BINARY.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(BINARY, 0, all, head.length, BINARY.length);
        System.arraycopy(tail, 0, all, head.length + BINARY.length, tail.length);
        return all;
    }

    private static TestSmtpReceiver.Received send(byte[] message) {
        int before = receiver.received().size();
        var answers = attempt.deliver(7, "alice@example.test", List.of("dave@remote.test"), outgoing(message));
        assertThat(answers.get("dave@remote.test").reply().code()).isEqualTo(250);
        return receiver.received().get(before);
    }

    private static MimeMessage parse(String data) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()),
            new ByteArrayInputStream(data.getBytes(StandardCharsets.UTF_8)));
    }

    private static boolean sevenBit(String data) {
        return data.chars().allMatch(c -> c < 128);
    }

    @Test
    void aRemoteWithout8BitMimeGetsQuotedPrintableThatDecodesToTheSameText() throws Exception {
        receiver.setEightBitMime(false);
        TestSmtpReceiver.Received received = send(plainEightBit());

        assertThat(sevenBit(received.data())).isTrue();
        assertThat(received.data()).contains("Content-Transfer-Encoding: quoted-printable", "Subject: umlauts",
            "Gr=C3=BC=C3=9Fe").doesNotContain("8bit");
        assertThat(commands()).noneMatch(c -> c.contains("BODY=8BITMIME"));
        MimeMessage parsed = parse(received.data());
        assertThat(parsed.getContent()).isEqualTo(TEXT);
        // The signer saw the converted bytes, so a signature covers what was sent.
        assertThat(signed).singleElement().satisfies(b -> assertThat(EightBitDowngrade.hasEightBitBytes(b)).isFalse());
        assertThat(received.data()).startsWith("X-Test-Signed: yes\r\n");
    }

    @Test
    void multipartTextBecomesQuotedPrintableAndBinaryBecomesBase64() throws Exception {
        receiver.setEightBitMime(false);
        TestSmtpReceiver.Received received = send(multipartEightBit());

        assertThat(sevenBit(received.data())).isTrue();
        MimeMessage parsed = parse(received.data());
        assertThat(parsed.getHeader("Content-Transfer-Encoding")).containsExactly("7bit");
        MimeMultipart parts = (MimeMultipart) parsed.getContent();
        assertThat(parts.getCount()).isEqualTo(3);
        MimeBodyPart text = (MimeBodyPart) parts.getBodyPart(0);
        assertThat(text.getEncoding()).isEqualTo("quoted-printable");
        assertThat(text.getContent()).isEqualTo(TEXT);
        assertThat(parts.getBodyPart(1).getContent()).isEqualTo("plain ascii part\r\n");
        MimeBodyPart binary = (MimeBodyPart) parts.getBodyPart(2);
        assertThat(binary.getEncoding()).isEqualTo("base64");
        assertThat(binary.getInputStream().readAllBytes()).isEqualTo(BINARY);
    }

    @Test
    void aRemoteWith8BitMimeGetsTheMessageAsItIs() {
        receiver.setEightBitMime(true);
        byte[] message = plainEightBit();
        TestSmtpReceiver.Received received = send(message);

        assertThat(received.data()).isEqualTo("X-Test-Signed: yes\r\n" + new String(message, StandardCharsets.UTF_8));
        assertThat(commands()).anyMatch(c -> c.startsWith("MAIL FROM:<alice@example.test>")
            && c.contains("BODY=8BITMIME"));
        assertThat(signed).singleElement().isEqualTo(message);
    }

    @Test
    void aSevenBitMessageIsNeverRewritten() {
        receiver.setEightBitMime(false);
        byte[] message = "From: alice@example.test\r\nSubject: ascii\r\n\r\nonly ascii\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(send(message).data()).isEqualTo("X-Test-Signed: yes\r\n" + new String(message, StandardCharsets.US_ASCII));
    }
}
