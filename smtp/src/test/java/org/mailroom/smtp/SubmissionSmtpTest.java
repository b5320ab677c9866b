package org.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.smtp.MailroomSmtpServer.Mode;
import org.mailroom.smtp.delivery.Placement;
import org.mailroom.smtp.delivery.RecipientSorting;
import org.mailroom.smtp.delivery.SorterPlacement;
import org.mailroom.smtp.outbound.Outbox;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.Sorter;
import org.mailroom.sorter.message.MailParser;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/** Submission listeners (STARTTLS and implicit TLS) with Angus Mail and a raw client: AUTH, sender ownership. */
class SubmissionSmtpTest {

    @TempDir
    static Path directory;

    static SmtpTestServers fixture;
    static MailroomSmtpServer startTls;
    static MailroomSmtpServer implicitTls;

    @BeforeAll
    static void start() throws Exception {
        fixture = new SmtpTestServers(directory);
        startTls = fixture.start(Mode.SUBMISSION_STARTTLS);
        implicitTls = fixture.start(Mode.SUBMISSION_IMPLICIT_TLS);
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    @BeforeEach
    void emptyMailboxes() throws Exception {
        fixture.emptyInboxes();
    }

    private Session angus(boolean implicit, int port) throws Exception {
        String protocol = implicit ? "smtps" : "smtp";
        Properties props = new Properties();
        props.put("mail." + protocol + ".host", "localhost");
        props.put("mail." + protocol + ".port", String.valueOf(port));
        props.put("mail." + protocol + ".auth", "true");
        props.put("mail." + protocol + ".ssl.socketFactory", fixture.certificate.clientSocketFactory());
        props.put("mail." + protocol + ".ssl.checkserveridentity", "true");
        props.put("mail." + protocol + ".connectiontimeout", "10000");
        props.put("mail." + protocol + ".timeout", "10000");
        if (!implicit) {
            props.put("mail.smtp.starttls.enable", "true");
            props.put("mail.smtp.starttls.required", "true");
        }
        return Session.getInstance(props);
    }

    private static MimeMessage message(Session session, String from, String to, String subject) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(from));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(subject);
        message.setText("Hello Bob,\nsent through Mailroom.\n");
        return message;
    }

    private void send(boolean implicit, int port, String user, String password, MimeMessage message) throws Exception {
        Session session = angus(implicit, port);
        try (Transport transport = session.getTransport(implicit ? "smtps" : "smtp")) {
            transport.connect(user, password);
            transport.sendMessage(message, message.getAllRecipients());
        }
    }

    @Test
    void angusMailSubmitsOverStartTlsWithAuth() throws Exception {
        send(false, startTls.port(), SmtpTestServers.ALICE, SmtpTestServers.PASSWORD,
            message(angus(false, startTls.port()), SmtpTestServers.ALICE, SmtpTestServers.BOB, "over starttls"));
        assertThat(fixture.inbox(SmtpTestServers.BOB)).singleElement().satisfies(stored -> {
            assertThat(stored).startsWith("Received: from ");
            assertThat(stored).contains("with ESMTPSA id ", "for <bob@example.test>", "Subject: over starttls");
        });
    }

    @Test
    void angusMailSubmitsOverImplicitTlsWithAuthFromAnAlias() throws Exception {
        send(true, implicitTls.port(), SmtpTestServers.ALICE, SmtpTestServers.PASSWORD,
            message(angus(true, implicitTls.port()), "ally@example.test", SmtpTestServers.BOB, "over tls"));
        assertThat(fixture.inbox(SmtpTestServers.BOB)).singleElement().asString()
            .contains("with ESMTPSA id ", "Subject: over tls");
    }

    @Test
    void aLargeMessageIsSpooledToDiskStoredIntactAndTheSpoolFileRemoved() throws Exception {
        Session session = angus(true, implicitTls.port());
        MimeMessage message = message(session, SmtpTestServers.ALICE, SmtpTestServers.BOB, "large");
        String line = "0123456789".repeat(7) + "\n";
        message.setText(line.repeat(30_000));
        send(true, implicitTls.port(), SmtpTestServers.ALICE, SmtpTestServers.PASSWORD, message);
        assertThat(fixture.inbox(SmtpTestServers.BOB)).singleElement().satisfies(stored -> {
            assertThat(stored).contains("Subject: large");
            assertThat(stored.length()).isGreaterThan(2_000_000);
            assertThat(stored).contains(line.replace("\n", "\r\n").repeat(100));
        });
        try (var files = java.nio.file.Files.list(fixture.spool)) {
            assertThat(files).isEmpty();
        }
    }

    /** A client that leaves in the middle of a large DATA leaves no spool file behind (no waiting for a GC). */
    @Test
    void aClientLeavingInTheMiddleOfALargeMessageLeavesNoSpoolFile() throws Exception {
        try (RawSmtp smtp = RawSmtp.connect(startTls.port())) {
            smtp.reply();
            smtp.command("EHLO client.example.org");
            smtp.startTls(fixture.certificate.clientSocketFactory());
            smtp.command("EHLO client.example.org");
            assertThat(smtp.command("AUTH PLAIN " + RawSmtp.plain(SmtpTestServers.ALICE, SmtpTestServers.PASSWORD)))
                .startsWith("235");
            smtp.command("MAIL FROM:<alice@example.test>");
            smtp.command("RCPT TO:<bob@example.test>");
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send("Subject: never finished\r\n\r\n" + ("z".repeat(998) + "\r\n").repeat(600));
            // The envelope spilled to disk (more than the 256 KiB kept in memory) before the client leaves.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (spoolFiles() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(spoolFiles()).isEqualTo(1);
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (spoolFiles() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(spoolFiles()).isZero();
        assertThat(fixture.inbox(SmtpTestServers.BOB)).isEmpty();
    }

    private long spoolFiles() throws java.io.IOException {
        try (var files = java.nio.file.Files.list(fixture.spool)) {
            return files.count();
        }
    }

    @Test
    void wrongPasswordIsRefused() {
        assertThatThrownBy(() -> send(true, implicitTls.port(), SmtpTestServers.ALICE, "wrong",
            message(angus(true, implicitTls.port()), SmtpTestServers.ALICE, SmtpTestServers.BOB, "x")))
            .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("535 5.7.8");
        assertThat(fixture.inboxUnchecked(SmtpTestServers.BOB)).isEmpty();
    }

    @Test
    void repeatedAuthFailuresAreThrottledEvenWithTheRightPassword() throws Exception {
        MailroomSmtpServer server = fixture.start(Mode.SUBMISSION_IMPLICIT_TLS);
        for (int attempt = 0; attempt < 5; attempt++) {
            try (RawSmtp smtp = new RawSmtp(fixture.certificate.clientSocketFactory().createSocket("localhost", server.port()))) {
                smtp.reply();
                smtp.command("EHLO client.example.org");
                assertThat(smtp.command("AUTH PLAIN " + RawSmtp.plain(SmtpTestServers.BOB, "guess " + attempt)))
                    .startsWith("535 5.7.8");
            }
        }
        try (RawSmtp smtp = new RawSmtp(fixture.certificate.clientSocketFactory().createSocket("localhost", server.port()))) {
            smtp.reply();
            smtp.command("EHLO client.example.org");
            assertThat(smtp.command("AUTH PLAIN " + RawSmtp.plain(SmtpTestServers.BOB, SmtpTestServers.PASSWORD)))
                .startsWith("454 4.7.0");
            assertThat(smtp.closedByServer()).isTrue();
        }
    }

    @Test
    void senderNotOwnedByTheUserIsRefused() {
        assertThatThrownBy(() -> send(false, startTls.port(), SmtpTestServers.ALICE, SmtpTestServers.PASSWORD,
            message(angus(false, startTls.port()), SmtpTestServers.BOB, SmtpTestServers.BOB, "forged")))
            .isInstanceOf(SendFailedException.class).hasMessageContaining("553 5.7.1");
        assertThat(fixture.inboxUnchecked(SmtpTestServers.BOB)).isEmpty();
    }

    @Test
    void authBeforeStartTlsIsRefusedAndNotAnnounced() throws Exception {
        try (RawSmtp smtp = RawSmtp.connect(startTls.port())) {
            assertThat(smtp.reply()).startsWith("220 ");
            String ehlo = smtp.command("EHLO client.example.org");
            assertThat(ehlo).contains("STARTTLS", "PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES", "SIZE")
                .doesNotContain("AUTH");
            assertThat(smtp.command("AUTH PLAIN " + RawSmtp.plain(SmtpTestServers.ALICE, SmtpTestServers.PASSWORD)))
                .startsWith("538 5.7.11");
            assertThat(smtp.command("MAIL FROM:<alice@example.test>")).startsWith("530 5.7.0");

            smtp.startTls(fixture.certificate.clientSocketFactory());
            String afterTls = smtp.command("EHLO client.example.org");
            assertThat(afterTls).contains("AUTH LOGIN PLAIN").doesNotContain("STARTTLS");
            assertThat(smtp.command("AUTH PLAIN " + RawSmtp.plain(SmtpTestServers.ALICE, SmtpTestServers.PASSWORD)))
                .startsWith("235");
        }
    }

    /** AUTH is announced on submission, so its MAIL parameter (RFC 4954 section 5) is taken; SMTPUTF8 is not. */
    @Test
    void theAuthParameterIsTakenOnSubmissionAndUnannouncedOnesAreRefused() throws Exception {
        try (RawSmtp smtp = RawSmtp.connect(startTls.port())) {
            smtp.reply();
            smtp.command("EHLO client.example.org");
            smtp.startTls(fixture.certificate.clientSocketFactory());
            smtp.command("EHLO client.example.org");
            assertThat(smtp.command("AUTH PLAIN " + RawSmtp.plain(SmtpTestServers.ALICE, SmtpTestServers.PASSWORD)))
                .startsWith("235");
            assertThat(smtp.command("MAIL FROM:<alice@example.test> SMTPUTF8")).startsWith("555 5.5.4");
            assertThat(smtp.command("MAIL FROM:<>")).startsWith("553 5.7.1 The null sender <> is for delivery reports");
            // A subaddress of the user's own address (or alias) is the user's; one of another user's is not.
            assertThat(smtp.command("MAIL FROM:<bob+lists@example.test>")).startsWith("553 5.7.1");
            assertThat(smtp.command("MAIL FROM:<ally+lists@example.test>")).startsWith("250");
            assertThat(smtp.command("RSET")).startsWith("250");
            assertThat(smtp.command("MAIL FROM:<Alice+Lists@example.test>")).startsWith("250");
            assertThat(smtp.command("RSET")).startsWith("250");
            assertThat(smtp.command("MAIL FROM:<alice@example.test> AUTH=<alice@example.test> BODY=8BITMIME SIZE=50"))
                .startsWith("250");
            assertThat(smtp.command("RCPT TO:<bob@example.test>")).startsWith("250");
        }
    }

    @Test
    void commandsPipelinedBehindStartTlsCloseTheConnection() throws Exception {
        try (RawSmtp smtp = RawSmtp.connect(startTls.port())) {
            smtp.reply();
            smtp.command("EHLO client.example.org");
            smtp.send("STARTTLS\r\nMAIL FROM:<alice@example.test>\r\n");
            // James's framer detects the injection: an error reply instead of "220 Ready to start TLS", then close.
            assertThat(smtp.reply()).startsWith("451");
            assertThat(smtp.closedByServer()).isTrue();
        }
    }

    /**
     * A submitted message without Date and Message-ID (as curl or a printer sends it) gets both (RFC 6409 8.2, 8.3);
     * one that has them keeps its own, and nothing is added twice.
     */
    @Test
    void submittedMailGetsTheDateAndMessageIdItLacksAndKeepsItsOwn() throws Exception {
        // A sorter that adds its trace header, as the real one does: the added fields and it stay in the header.
        MailroomSmtpServer sorted = fixture.start(MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK, 0,
                Mode.SUBMISSION_STARTTLS, "mx.example.test"),
            (message, size, mailFrom, facts, verdicts) -> user -> new Placement("INBOX", java.util.Set.of(),
                "X-Mailroom-Sort: category=inbox\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        try (RawSmtp smtp = RawSmtp.connect(sorted.port())) {
            smtp.reply();
            smtp.command("EHLO client.example.org");
            smtp.startTls(fixture.certificate.clientSocketFactory());
            smtp.command("EHLO client.example.org");
            assertThat(smtp.command("AUTH PLAIN " + RawSmtp.plain(SmtpTestServers.ALICE, SmtpTestServers.PASSWORD)))
                .startsWith("235");
            for (String message : new String[] {
                "From: alice@example.test\r\nSubject: bare\r\n\r\nhi\r\n",
                "only a body line: no header at all\r\nsecond line\r\n",
                "From: alice@example.test\r\nDATE: Mon, 30 Nov 2026 10:00:00 +0100\r\n"
                    + "message-id: <own@client.example.org>\r\nSubject: complete\r\n\r\nhi\r\n"}) {
                assertThat(smtp.command("MAIL FROM:<alice@example.test>")).startsWith("250");
                assertThat(smtp.command("RCPT TO:<bob@example.test>")).startsWith("250");
                assertThat(smtp.command("DATA")).startsWith("354");
                smtp.send(message + ".\r\n");
                assertThat(smtp.reply()).startsWith("250");
            }
        }
        java.util.List<String> stored = fixture.inbox(SmtpTestServers.BOB);
        assertThat(stored).hasSize(3);
        // Only a body: the added fields end the header section, and the text stays the body.
        String bodyOnly = stored.stream().filter(m -> m.contains("only a body")).findFirst().orElseThrow();
        assertThat(bodyOnly).containsPattern("\r\nMessage-ID: <[^>]+>\r\nX-Mailroom-Sort: category=inbox\r\n\r\n"
            + "only a body line: no header at all\r\n");
        MimeMessage parsed = new MimeMessage(null, new java.io.ByteArrayInputStream(
            bodyOnly.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        assertThat(parsed.getContent().toString()).isEqualTo("only a body line: no header at all\r\nsecond line\r\n");
        assertThat(parsed.getHeader("X-Mailroom-Sort")).containsExactly("category=inbox");
        String bare = stored.stream().filter(m -> m.contains("Subject: bare")).findFirst().orElseThrow();
        assertThat(bare).containsPattern("\r\nDate: [A-Z][a-z]{2}, \\d{1,2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} \\+0000\r\n")
            .containsPattern("\r\nMessage-ID: <[0-9a-f-]{36}@mx\\.example\\.test>\r\n");
        assertThat(new jakarta.mail.internet.MimeMessage(null, new java.io.ByteArrayInputStream(
            bare.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))).getSentDate()).isNotNull();
        String complete = stored.stream().filter(m -> m.contains("Subject: complete")).findFirst().orElseThrow();
        assertThat(complete).doesNotContain("Message-ID: <").contains("message-id: <own@client.example.org>");
        assertThat(complete.split("(?i)\r\ndate:", -1)).hasSize(2);
    }

    @Test
    void remoteRecipientsAreDeferredUntilTheOutboundQueueExists() throws Exception {
        try (RawSmtp smtp = RawSmtp.connect(startTls.port())) {
            smtp.reply();
            smtp.command("EHLO client.example.org");
            smtp.startTls(fixture.certificate.clientSocketFactory());
            smtp.command("EHLO client.example.org");
            assertThat(smtp.command("AUTH PLAIN " + RawSmtp.plain(SmtpTestServers.ALICE, SmtpTestServers.PASSWORD)))
                .startsWith("235");
            assertThat(smtp.command("MAIL FROM:<alice@example.test>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<someone@remote.example>")).startsWith("451 4.3.2");
            assertThat(smtp.command("RCPT TO:<bob@example.test>")).startsWith("250");
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send("Subject: local part only\r\n\r\nhi\r\n.\r\n");
            assertThat(smtp.reply()).startsWith("250");
        }
        assertThat(fixture.inbox(SmtpTestServers.BOB)).hasSize(1);
    }

    /**
     * The sorter learns of an arrival only once every copy is committed: when the queue row for the remote recipient
     * cannot be written after the local copies were sorted and appended, the client gets 451 and nothing was handed
     * to learning; the same message accepted later is handed over once per local recipient.
     */
    @Test
    void arrivalsReachLearningOnlyAfterTheDeliveryCommitted() throws Exception {
        List<IncomingMail> learned = new CopyOnWriteArrayList<>();
        RecipientSorting sorter = new SorterPlacement(Sorter.inboxOnly(), new SorterPlacement.Folders("Priority",
            "Spam"), new MailParser(), 1 << 20, Clock.systemUTC(), learned::add);
        AtomicBoolean queueWorks = new AtomicBoolean(false);
        Outbox outbox = (sender, recipients, message) -> {
            if (!queueWorks.get()) {
                throw new IllegalStateException("simulated queue failure");
            }
            return 1;
        };
        MailroomSmtpServer server = fixture.start(MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK, 0,
            Mode.SUBMISSION_STARTTLS, "mx.example.test"), sorter, outbox);
        for (boolean works : new boolean[] {false, true}) {
            queueWorks.set(works);
            try (RawSmtp smtp = RawSmtp.connect(server.port())) {
                smtp.reply();
                smtp.command("EHLO client.example.org");
                smtp.startTls(fixture.certificate.clientSocketFactory());
                smtp.command("EHLO client.example.org");
                assertThat(smtp.command("AUTH PLAIN " + RawSmtp.plain(SmtpTestServers.ALICE, SmtpTestServers.PASSWORD)))
                    .startsWith("235");
                smtp.command("MAIL FROM:<alice@example.test>");
                assertThat(smtp.command("RCPT TO:<bob@example.test>")).startsWith("250");
                assertThat(smtp.command("RCPT TO:<ally@example.test>")).startsWith("250");
                assertThat(smtp.command("RCPT TO:<carol@remote.example>")).startsWith("250");
                smtp.command("DATA");
                smtp.send("From: alice@example.test\r\nSubject: minutes\r\n\r\nhere\r\n.\r\n");
                if (works) {
                    assertThat(smtp.reply()).startsWith("250");
                } else {
                    assertThat(smtp.reply()).startsWith("451 4.3.0");
                    assertThat(fixture.inbox(SmtpTestServers.BOB)).isEmpty();
                    assertThat(learned).as("a refused delivery teaches nothing").isEmpty();
                }
            }
        }
        assertThat(fixture.inbox(SmtpTestServers.BOB)).hasSize(1);
        assertThat(learned).extracting(IncomingMail::recipient)
            .containsExactlyInAnyOrder(SmtpTestServers.BOB, SmtpTestServers.ALICE);
    }

    @Test
    void aStorageFailureForOneRecipientAnswers451AndKeepsNoCopyForTheOthers(@TempDir Path own) throws Exception {
        RecipientSorting failForBob = (message, size, mailFrom, facts, verdicts) -> user -> {
            if (user.equals(SmtpTestServers.BOB)) {
                throw new IllegalStateException("simulated storage failure for bob");
            }
            return Placement.inbox();
        };
        MailroomSmtpServer failing = fixture.start(
            MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK, 0, Mode.INBOUND, "mx.example.test"), failForBob);
        try (RawSmtp smtp = RawSmtp.connect(failing.port())) {
            smtp.reply();
            smtp.command("EHLO client.example.org");
            smtp.command("MAIL FROM:<sender@example.org>");
            assertThat(smtp.command("RCPT TO:<alice@example.test>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<bob@example.test>")).startsWith("250");
            smtp.command("DATA");
            smtp.send("Subject: half\r\n\r\nhi\r\n.\r\n");
            assertThat(smtp.reply()).startsWith("451 4.3.0");
        }
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).isEmpty();
        assertThat(fixture.inbox(SmtpTestServers.BOB)).isEmpty();
    }
}
