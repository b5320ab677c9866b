package org.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.smtp.MailroomSmtpServer.Mode;
import org.mailroom.smtp.delivery.RecipientSorting;
import org.mailroom.smtp.delivery.LocalDelivery;
import org.mailroom.smtp.delivery.LocalRecipients;
import org.mailroom.smtp.policy.AuthFailureThrottle;

/** Starting and stopping listeners: port 0, the bound port, clean close, errors that name the listener. */
class MailroomSmtpServerTest {

    @TempDir
    static Path directory;

    static SmtpTestServers fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new SmtpTestServers(directory);
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    private static MailroomSmtpServer.Services services() {
        LocalRecipients recipients = new LocalRecipients(fixture.domains, fixture.users, fixture.aliases,
            Optional.empty(), "mx.example.test");
        LocalDelivery delivery = new LocalDelivery(fixture.store.mailboxManager(), recipients, RecipientSorting.inbox(),
            Clock.systemUTC(), 1, 1);
        return new MailroomSmtpServer.Services(fixture.users, fixture.aliases, recipients, delivery,
            AuthFailureThrottle.defaults(Clock.systemUTC()), fixture.metrics, fixture.spool);
    }

    @Test
    void closeReleasesThePortAndConnectionsAreRefusedAfterwards() throws Exception {
        MailroomSmtpServer server = MailroomSmtpServer.start(
            MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK, 0, Mode.INBOUND, "mx.example.test"), null, services());
        int port = server.port();
        assertThat(port).isPositive();
        try (RawSmtp smtp = RawSmtp.connect(port)) {
            assertThat(smtp.reply()).startsWith("220 mx.example.test");
            String ehlo = smtp.command("EHLO client.example.org");
            assertThat(ehlo).as("no certificate, no STARTTLS").doesNotContain("STARTTLS");
        }
        server.close();
        try (ServerSocket again = new ServerSocket(port, 1, SmtpTestServers.LOOPBACK)) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void aPortInUseFailsWithTheListenerNamed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, SmtpTestServers.LOOPBACK)) {
            assertThatThrownBy(() -> MailroomSmtpServer.start(MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK,
                taken.getLocalPort(), Mode.SUBMISSION_STARTTLS, "mx.example.test"),
                fixture.certificate.serverContext(), services()))
                .isInstanceOf(SmtpStartupException.class)
                .hasMessageContaining("submission_starttls SMTP listener on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void submissionWithoutTlsIsAConfigurationError() {
        assertThatThrownBy(() -> MailroomSmtpServer.start(MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK, 0,
            Mode.SUBMISSION_IMPLICIT_TLS, "mx.example.test"), null, services()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TLS");
    }
}
