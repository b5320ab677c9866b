package org.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.provider.CsvSource;
import org.mailroom.smtp.MailroomSmtpServer.Mode;
import org.mailroom.smtp.delivery.RecipientSorting;

/** The MX listener over real sockets and a real Derby store: acceptance, relay refusal, limits, smuggling. */
class InboundSmtpTest {

    @TempDir
    static Path directory;

    static SmtpTestServers fixture;
    static MailroomSmtpServer server;

    @BeforeAll
    static void start() throws Exception {
        fixture = new SmtpTestServers(directory);
        server = fixture.start(MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK, 0, Mode.INBOUND, "mx.example.test")
            .withLimits(MailroomSmtpServer.Limits.defaults().withMaxMessageSize(10_000).withMaxRecipients(3)), RecipientSorting.inbox());
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    @BeforeEach
    void emptyMailboxes() throws Exception {
        fixture.emptyInboxes();
    }

    private RawSmtp greeted() throws Exception {
        RawSmtp smtp = RawSmtp.connect(server.port());
        assertThat(smtp.reply()).startsWith("220 ");
        assertThat(smtp.command("EHLO client.example.org")).startsWith("250");
        return smtp;
    }

    @Test
    void ehloOffersTheExpectedExtensionsAndNoAuth() throws Exception {
        try (RawSmtp smtp = RawSmtp.connect(server.port())) {
            smtp.reply();
            String ehlo = smtp.command("EHLO client.example.org");
            assertThat(ehlo).startsWith("250-mx.example.test Hello client.example.org [127.0.0.1]\n")
                .contains("PIPELINING", "SIZE 10000", "8BITMIME", "ENHANCEDSTATUSCODES", "STARTTLS")
                .doesNotContain("AUTH");
            assertThat(smtp.command("HELO client.example.org"))
                .isEqualTo("250 mx.example.test Hello client.example.org [127.0.0.1]");
            assertThat(smtp.command("AUTH PLAIN " + RawSmtp.plain(SmtpTestServers.ALICE, SmtpTestServers.PASSWORD)))
                .startsWith("5");
        }
    }

    @Test
    void plainDeliveryStoresTheMessageWithAReceivedHeaderAndTheBytesAsSent() throws Exception {
        String body = "Subject: hello\r\nFrom: <sender@example.org>\r\n\r\nfirst line\r\n..dot-stuffed\r\n";
        try (RawSmtp smtp = greeted()) {
            assertThat(smtp.command("MAIL FROM:<sender@example.org>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<alice@example.test>")).startsWith("250 2.1.5");
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send(body + ".\r\n");
            assertThat(smtp.reply()).startsWith("250 2.6.0");
        }
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).singleElement().satisfies(message -> {
            assertThat(message).startsWith("Received: from client.example.org ([127.0.0.1])\r\n\tby mx.example.test (Mailroom) with ESMTP id ");
            assertThat(message).contains("for <alice@example.test>; ");
            assertThat(message).endsWith("\r\n" + body.replace("..dot", ".dot"));
        });
    }

    @Test
    void eightBitBodiesAreAcceptedWithTheBodyParameterAndStoredUnchanged() throws Exception {
        String body = "Subject: =?UTF-8?Q?caf=C3=A9?=\r\nContent-Type: text/plain; charset=UTF-8\r\n"
            + "Content-Transfer-Encoding: 8bit\r\n\r\ncaf\u00e9 cr\u00e8me br\u00fbl\u00e9e\r\n";
        try (RawSmtp smtp = greeted()) {
            assertThat(smtp.command("MAIL FROM:<sender@example.org> BODY=8BITMIME SIZE=200")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<alice@example.test>")).startsWith("250");
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send(body + ".\r\n");
            assertThat(smtp.reply()).startsWith("250");
        }
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).singleElement().asString().endsWith("\r\n" + body);
    }

    @Test
    void aliasAndPostmasterAreDeliveredToTheirUsers() throws Exception {
        try (RawSmtp smtp = greeted()) {
            assertThat(smtp.command("MAIL FROM:<>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<ally@example.test>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<Postmaster@EXAMPLE.test>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<bob@example.test>")).startsWith("250");
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send("Subject: both\r\n\r\nhi\r\n.\r\n");
            assertThat(smtp.reply()).startsWith("250");
        }
        // postmaster falls back to the first user of the domain (alice): one copy for her, not two.
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).hasSize(1);
        assertThat(fixture.inbox(SmtpTestServers.BOB)).hasSize(1);
    }

    @Test
    void deliveryGoesWhereRcptResolvedTheAddressEvenIfTheAliasChangesBeforeData() throws Exception {
        fixture.aliases.add("moving@example.test", SmtpTestServers.BOB);
        try (RawSmtp smtp = greeted()) {
            assertThat(smtp.command("MAIL FROM:<sender@example.org>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<moving@example.test>")).startsWith("250");
            // Delivery reuses RCPT's answer rather than resolving each address again at the end of DATA.
            fixture.aliases.remove("moving@example.test");
            fixture.aliases.add("moving@example.test", SmtpTestServers.ALICE);
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send("Subject: moving\r\n\r\nhi\r\n.\r\n");
            assertThat(smtp.reply()).startsWith("250");
        } finally {
            fixture.aliases.remove("moving@example.test");
        }
        assertThat(fixture.inbox(SmtpTestServers.BOB)).singleElement().asString().contains("moving");
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).isEmpty();
    }

    @Test
    void postmasterWithoutDomainAndOfTheServerNameIsAccepted() throws Exception {
        try (RawSmtp smtp = greeted()) {
            smtp.command("MAIL FROM:<sender@example.org>");
            assertThat(smtp.command("RCPT TO:<Postmaster>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<postmaster@mx.example.test>")).startsWith("250");
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send("Subject: to postmaster\r\n\r\nhi\r\n.\r\n");
            assertThat(smtp.reply()).startsWith("250");
        }
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).singleElement().asString().contains("to postmaster");
    }

    @Test
    void aSubaddressIsDeliveredToItsUserAndKeptInTheReceivedHeader() throws Exception {
        try (RawSmtp smtp = greeted()) {
            assertThat(smtp.command("MAIL FROM:<sender@example.org>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<alice+lists@example.test>")).startsWith("250 2.1.5");
            assertThat(smtp.command("RCPT TO:<nobody+lists@example.test>")).startsWith("550 5.1.1");
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send("Subject: tagged\r\n\r\nhi\r\n.\r\n");
            assertThat(smtp.reply()).startsWith("250");
        }
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).singleElement().asString()
            .contains("for <alice+lists@example.test>; ");
    }

    /**
     * A recipient over its quota defers the message with 452 4.2.2 (not a storage fault's 451 4.3.0), and the other
     * recipient's copy is not kept (one reply per message: the sender's retry delivers both once there is room).
     */
    @Test
    void aRecipientOverItsQuotaDefersTheMessageWithMailboxFull() throws Exception {
        org.apache.james.mailbox.model.QuotaRoot bob = fixture.store.quotaRootResolver().getQuotaRoot(
            org.apache.james.mailbox.model.MailboxPath.inbox(org.apache.james.core.Username.of(SmtpTestServers.BOB)));
        fixture.store.maxQuotaManager().setMaxMessage(bob, org.apache.james.core.quota.QuotaCountLimit.count(0));
        try (RawSmtp smtp = greeted()) {
            assertThat(smtp.command("MAIL FROM:<sender@example.org>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<alice@example.test>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<bob@example.test>")).startsWith("250");
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send("Subject: to a full mailbox\r\n\r\nhi\r\n.\r\n");
            assertThat(smtp.reply()).startsWith("452 4.2.2 ");
        } finally {
            fixture.store.maxQuotaManager().removeMaxMessage(bob);
        }
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).isEmpty();
        assertThat(fixture.inbox(SmtpTestServers.BOB)).isEmpty();
    }

    @Test
    void unknownLocalUserIsRefused() throws Exception {
        try (RawSmtp smtp = greeted()) {
            smtp.command("MAIL FROM:<sender@example.org>");
            assertThat(smtp.command("RCPT TO:<nobody@example.test>")).startsWith("550 5.1.1");
        }
    }

    /**
     * Each trick and the exact refusal. Addresses James's parser cannot read (source routes, trailing dots, two
     * at-signs) are refused by James itself with 553 5.1.3 before any hook runs: never relayed either.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "victim@remote.example                                   | 550 5.7.1",
        "victim%remote.example@example.test                      | 550 5.7.1",
        "victim%remote.example@[127.0.0.1]                       | 550 5.7.1",
        "remote.example!victim@example.test                      | 550 5.7.1",
        "\"victim@remote.example\"@example.test                   | 550 5.7.1",
        "\"victim%remote.example\"@example.test                   | 550 5.7.1",
        "victim@[192.0.2.1]                                      | 550 5.7.1",
        "postmaster@[127.0.0.1]                                  | 550 5.7.1",
        "postmaster@remote.example                               | 550 5.7.1",
        "abuse@remote.example                                    | 550 5.7.1",
        "victim@remote.example.                                  | 553 5.1.3",
        "@example.test:victim@remote.example                     | 553 5.1.3",
        "@example.test,@mx.example.test:victim@remote.example    | 553 5.1.3",
        "victim@remote.example@example.test                      | 553 5.1.3",
    })
    void relayAttemptsAreRefusedAndNothingIsStored(String address, String expected) throws Exception {
        try (RawSmtp smtp = greeted()) {
            smtp.command("MAIL FROM:<sender@example.org>");
            assertThat(smtp.command("RCPT TO:<" + address + ">")).as("RCPT TO:<%s>", address).startsWith(expected + " ");
            assertThat(smtp.command("DATA")).startsWith("503");
        }
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).isEmpty();
        assertThat(fixture.inbox(SmtpTestServers.BOB)).isEmpty();
    }

    @Test
    void aNestedMailIsRefusedAndLeavesTheOpenTransactionAsItWas() throws Exception {
        try (RawSmtp smtp = greeted()) {
            assertThat(smtp.command("MAIL FROM:<first@example.org>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<alice@example.test>")).startsWith("250");
            assertThat(smtp.command("MAIL FROM:<second@example.org>")).startsWith("503 5.5.1");
            // The open transaction goes on: another recipient, then DATA, from the first sender.
            assertThat(smtp.command("RCPT TO:<bob@example.test>")).startsWith("250");
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send("Subject: kept\r\n\r\nhi\r\n.\r\n");
            assertThat(smtp.reply()).startsWith("250");
            // A transaction abandoned with RSET leaves no recipient behind for the next one.
            assertThat(smtp.command("MAIL FROM:<third@example.org>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<alice@example.test>")).startsWith("250");
            assertThat(smtp.command("RSET")).startsWith("250");
            assertThat(smtp.command("MAIL FROM:<fourth@example.org>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<bob@example.test>")).startsWith("250");
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send("Subject: bob only\r\n\r\nhi\r\n.\r\n");
            assertThat(smtp.reply()).startsWith("250");
        }
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).singleElement().asString().contains("Subject: kept");
        assertThat(fixture.inbox(SmtpTestServers.BOB)).hasSize(2);
    }

    /** Parameters of extensions the server announced are taken; any other gets 555 and opens no transaction. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "BODY=8BITMIME SIZE=100  | 250 2.1.0",
        "body=7bit               | 250 2.1.0",
        "BODY=BINARYMIME         | 555 5.5.4",
        "BODY=FOO                | 555 5.5.4",
        "SMTPUTF8                | 555 5.5.4",
        "SIZE=100 RET=HDRS       | 555 5.5.4",
        "AUTH=<>                 | 555 5.5.4",
        "FOO=BAR                 | 555 5.5.4",
    })
    void mailParametersNotAnnouncedAreRefused(String parameters, String expected) throws Exception {
        try (RawSmtp smtp = greeted()) {
            assertThat(smtp.command("MAIL FROM:<sender@example.org> " + parameters)).startsWith(expected + " ");
            String rcpt = smtp.command("RCPT TO:<alice@example.test>");
            assertThat(rcpt).startsWith(expected.startsWith("250") ? "250" : "503");
        }
    }

    /** DSN is not offered: its RCPT parameters get 555 5.5.4, and the transaction goes on. */
    @Test
    void rcptParametersNotAnnouncedAreRefusedWithAnEnhancedCode() throws Exception {
        try (RawSmtp smtp = greeted()) {
            assertThat(smtp.command("MAIL FROM:<sender@example.org>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<alice@example.test> NOTIFY=SUCCESS,FAILURE"))
                .isEqualTo("555 5.5.4 Unsupported RCPT parameter NOTIFY");
            assertThat(smtp.command("RCPT TO:<bob@example.test> ORCPT=rfc822;bob@example.test"))
                .isEqualTo("555 5.5.4 Unsupported RCPT parameter ORCPT");
            assertThat(smtp.command("RCPT TO:<alice@example.test>")).startsWith("250");
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send("Subject: one recipient\r\n\r\nhi\r\n.\r\n");
            assertThat(smtp.reply()).startsWith("250");
        }
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).hasSize(1);
        assertThat(fixture.inbox(SmtpTestServers.BOB)).isEmpty();
    }

    @Test
    void tooManyRecipientsAreDeferred() throws Exception {
        try (RawSmtp smtp = greeted()) {
            smtp.command("MAIL FROM:<sender@example.org>");
            assertThat(smtp.command("RCPT TO:<alice@example.test>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<bob@example.test>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<ally@example.test>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<postmaster@example.test>")).startsWith("452 4.5.3");
        }
    }

    @Test
    void oversizeMessagesAreRefusedByDeclaredSizeAndByContent() throws Exception {
        try (RawSmtp smtp = greeted()) {
            assertThat(smtp.command("MAIL FROM:<sender@example.org> SIZE=10001")).startsWith("552 5.3.4");
            assertThat(smtp.command("MAIL FROM:<sender@example.org> SIZE=100")).startsWith("250");
            smtp.command("RCPT TO:<alice@example.test>");
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send("Subject: big\r\n\r\n" + ("x".repeat(98) + "\r\n").repeat(200) + ".\r\n");
            assertThat(smtp.reply()).startsWith("552 5.3.4");
            // The session goes on: a small message afterwards is accepted.
            assertThat(smtp.command("MAIL FROM:<sender@example.org>")).startsWith("250");
            smtp.command("RCPT TO:<alice@example.test>");
            smtp.command("DATA");
            smtp.send("Subject: small\r\n\r\nok\r\n.\r\n");
            assertThat(smtp.reply()).startsWith("250");
        }
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).singleElement().asString().contains("Subject: small");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n.\r\n", "\n.\n", "\r.\r\n", "\r\n.\r"})
    void smugglingPayloadsCloseTheConnectionAndNoSecondMessageIsAccepted(String terminator) throws Exception {
        try (RawSmtp smtp = greeted()) {
            // One honest message first, in the same session.
            smtp.command("MAIL FROM:<sender@example.org>");
            smtp.command("RCPT TO:<alice@example.test>");
            smtp.command("DATA");
            smtp.send("Subject: honest\r\n\r\nhello\r\n.\r\n");
            assertThat(smtp.reply()).startsWith("250");

            smtp.command("MAIL FROM:<sender@example.org>");
            smtp.command("RCPT TO:<alice@example.test>");
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send("Subject: carrier\r\n\r\ncarrier body" + terminator
                + "MAIL FROM:<ceo@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
                + "Subject: smuggled\r\n\r\nforged\r\n.\r\n");
            assertThat(smtp.reply()).startsWith("500 5.5.2");
            assertThat(smtp.closedByServer()).isTrue();
        }
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).singleElement().asString().contains("Subject: honest");
        assertThat(fixture.inbox(SmtpTestServers.BOB)).isEmpty();
    }

    @Test
    void anOverlongDataLineRefusesTheMessageAndClosesInsteadOfTruncatingIt() throws Exception {
        try (RawSmtp smtp = greeted()) {
            assertThat(smtp.command("X".repeat(9_000))).startsWith("500 5.5.2");
            smtp.command("MAIL FROM:<sender@example.org>");
            smtp.command("RCPT TO:<alice@example.test>");
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send("Subject: long\r\n\r\n" + "y".repeat(9_000) + "\r\nshort\r\n.\r\n");
            assertThat(smtp.reply()).startsWith("500 5.5.6");
            assertThat(smtp.closedByServer()).isTrue();
        }
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).isEmpty();
    }

    @Test
    void tooManyUnknownCommandsCloseTheConnection() throws Exception {
        try (RawSmtp smtp = greeted()) {
            for (int i = 1; i < 10; i++) {
                assertThat(smtp.command("BOGUS " + i)).startsWith("500");
            }
            assertThat(smtp.command("RSET")).startsWith("250");
            assertThat(smtp.command("BOGUS 10")).startsWith("421 4.7.0");
            assertThat(smtp.closedByServer()).isTrue();
        }
    }

    @Test
    void connectionsBeyondThePerIpLimitAreClosed() throws Exception {
        MailroomSmtpServer limited = fixture.start(MailroomSmtpServer.Settings.of(SmtpTestServers.LOOPBACK, 0, Mode.INBOUND,
            "mx.example.test").withLimits(MailroomSmtpServer.Limits.defaults().withMaxConnectionsPerIp(2)),
            RecipientSorting.inbox());
        // One at a time: the server counts connections in the order its I/O threads see them.
        try (RawSmtp first = RawSmtp.connect(limited.port())) {
            assertThat(first.reply()).startsWith("220");
            try (RawSmtp second = RawSmtp.connect(limited.port())) {
                assertThat(second.reply()).startsWith("220");
                try (RawSmtp third = RawSmtp.connect(limited.port())) {
                    // James closes it on arrival; a greeting may slip out first, but nothing after it.
                    assertThat(third.closedByServer() || third.closedByServer()).isTrue();
                }
            }
        }
    }

    @Test
    void concurrentClientsEachGet250AndEveryMessageIsStoredOnce() throws Exception {
        int clients = 8;
        int perClient = 15;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
        try {
            java.util.List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                results.add(pool.submit(() -> {
                    int accepted = 0;
                    try (RawSmtp smtp = greeted()) {
                        for (int m = 0; m < perClient; m++) {
                            smtp.command("MAIL FROM:<sender@example.org>");
                            smtp.command("RCPT TO:<" + (m % 2 == 0 ? "alice" : "bob") + "@example.test>");
                            smtp.command("DATA");
                            smtp.send("Subject: load " + client + "-" + m + "\r\n\r\nbody\r\n.\r\n");
                            if (smtp.reply().startsWith("250 2.6.0")) {
                                accepted++;
                            }
                        }
                    }
                    return accepted;
                }));
            }
            for (var result : results) {
                assertThat(result.get()).isEqualTo(perClient);
            }
        } finally {
            pool.shutdownNow();
        }
        java.util.List<String> all = new java.util.ArrayList<>(fixture.inbox(SmtpTestServers.ALICE));
        all.addAll(fixture.inbox(SmtpTestServers.BOB));
        assertThat(all).hasSize(clients * perClient);
        assertThat(all.stream().map(m -> m.replaceAll("(?s).*Subject: (load [0-9-]+).*", "$1")).distinct())
            .hasSize(clients * perClient);
    }

    @Test
    void pipelinedCommandsInOneWriteAreAllAnsweredInOrder() throws Exception {
        try (RawSmtp smtp = greeted()) {
            smtp.send("MAIL FROM:<sender@example.org>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<nobody@example.test>\r\n"
                + "RCPT TO:<bob@example.test>\r\nDATA\r\n");
            assertThat(smtp.reply()).startsWith("250");
            assertThat(smtp.reply()).startsWith("250");
            assertThat(smtp.reply()).startsWith("550 5.1.1");
            assertThat(smtp.reply()).startsWith("250");
            assertThat(smtp.reply()).startsWith("354");
            smtp.send("Subject: pipelined\r\n\r\nhi\r\n.\r\nQUIT\r\n");
            assertThat(smtp.reply()).startsWith("250");
            assertThat(smtp.reply()).startsWith("221");
        }
        assertThat(fixture.inbox(SmtpTestServers.ALICE)).hasSize(1);
        assertThat(fixture.inbox(SmtpTestServers.BOB)).hasSize(1);
    }
}
