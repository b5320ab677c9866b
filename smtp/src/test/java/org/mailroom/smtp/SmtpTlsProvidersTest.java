package org.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mailroom.smtp.MailroomSmtpServer.Mode;

import io.netty.handler.ssl.SslProvider;

/**
 * Both TLS providers a listener can run on (OpenSSL where netty-tcnative loads, the JDK otherwise) carry MX
 * STARTTLS, submission STARTTLS and submission over implicit TLS; the other SMTP tests run on the provider this
 * platform prefers.
 */
class SmtpTlsProvidersTest {

    @TempDir
    static Path directory;

    private static SmtpTestServers fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new SmtpTestServers(directory);
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void mxStartTlsAnswersInClearThenDeliversOverTls(SslProvider provider) throws Exception {
        MailroomSmtpServer server = fixture.start(Mode.INBOUND, provider);
        String subject = "MX over " + provider;
        try (RawSmtp smtp = RawSmtp.connect(server.port())) {
            assertThat(smtp.reply()).startsWith("220 ");
            assertThat(smtp.command("EHLO client.example.org")).contains("STARTTLS");
            // RawSmtp reads the 220 in clear before it starts the handshake.
            smtp.startTls(fixture.certificate.clientSocketFactory());
            assertThat(smtp.command("EHLO client.example.org")).doesNotContain("STARTTLS");
            deliver(smtp, "sender@example.org", subject);
        }
        assertThat(fixture.inbox(SmtpTestServers.BOB)).anySatisfy(message -> assertThat(message).contains(subject));
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void submissionStartTlsAuthenticatesAndSubmits(SslProvider provider) throws Exception {
        MailroomSmtpServer server = fixture.start(Mode.SUBMISSION_STARTTLS, provider);
        String subject = "submission STARTTLS over " + provider;
        try (RawSmtp smtp = RawSmtp.connect(server.port())) {
            assertThat(smtp.reply()).startsWith("220 ");
            assertThat(smtp.command("EHLO client.example.org")).doesNotContain("AUTH");
            smtp.startTls(fixture.certificate.clientSocketFactory());
            assertThat(smtp.command("EHLO client.example.org")).contains("AUTH LOGIN PLAIN");
            assertThat(smtp.command("AUTH PLAIN " + RawSmtp.plain(SmtpTestServers.ALICE, SmtpTestServers.PASSWORD)))
                .startsWith("235");
            deliver(smtp, SmtpTestServers.ALICE, subject);
        }
        assertThat(fixture.inbox(SmtpTestServers.BOB)).anySatisfy(message -> assertThat(message).contains(subject));
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void submissionOverImplicitTlsOnTls13Or12(SslProvider provider) throws Exception {
        MailroomSmtpServer server = fixture.start(Mode.SUBMISSION_IMPLICIT_TLS, provider);
        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            String subject = "submission implicit TLS over " + provider + " " + protocol;
            SSLSocket socket = (SSLSocket) fixture.certificate.clientSocketFactory()
                .createSocket(SmtpTestServers.LOOPBACK, server.port());
            socket.setEnabledProtocols(new String[] {protocol});
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
            try (RawSmtp smtp = new RawSmtp(socket)) {
                assertThat(smtp.reply()).startsWith("220 ");
                assertThat(smtp.command("EHLO client.example.org")).contains("AUTH LOGIN PLAIN");
                assertThat(smtp.command("AUTH PLAIN " + RawSmtp.plain(SmtpTestServers.ALICE, SmtpTestServers.PASSWORD)))
                    .startsWith("235");
                deliver(smtp, SmtpTestServers.ALICE, subject);
            }
            assertThat(fixture.inbox(SmtpTestServers.BOB)).anySatisfy(message -> assertThat(message).contains(subject));
        }
    }

    private static void deliver(RawSmtp smtp, String from, String subject) throws Exception {
        assertThat(smtp.command("MAIL FROM:<" + from + ">")).startsWith("250");
        assertThat(smtp.command("RCPT TO:<" + SmtpTestServers.BOB + ">")).startsWith("250");
        assertThat(smtp.command("DATA")).startsWith("354");
        // A body of several TLS records.
        String body = "a line of the body, long enough to need a few TLS records\r\n".repeat(2_000);
        assertThat(smtp.command("From: <" + from + ">\r\nTo: <" + SmtpTestServers.BOB + ">\r\nSubject: " + subject
            + "\r\n\r\n" + body + ".")).startsWith("250");
    }
}
