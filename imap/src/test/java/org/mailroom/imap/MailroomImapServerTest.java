package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

class MailroomImapServerTest {

    @TempDir
    static Path directory;

    private static ImapTestServers fixture;
    private static MailroomImapServer startTls;
    private static MailroomImapServer implicitTls;

    @BeforeAll
    static void startServers() throws Exception {
        fixture = new ImapTestServers(directory);
        startTls = fixture.start(MailroomImapServer.Settings.startTls(ImapTestServers.LOOPBACK, 0, "mail.example.test"));
        implicitTls = fixture.start(MailroomImapServer.Settings.implicitTls(ImapTestServers.LOOPBACK, 0, "mail.example.test"));
    }

    @AfterAll
    static void stopServers() {
        if (startTls != null) {
            startTls.close();
        }
        if (implicitTls != null) {
            implicitTls.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void listenersBindEphemeralPorts() {
        assertThat(startTls.port()).isPositive();
        assertThat(implicitTls.port()).isPositive().isNotEqualTo(startTls.port());
    }

    @Test
    void implicitTlsLoginListAppendSelectFetch() throws Exception {
        Properties props = new Properties();
        props.put("mail.imaps.ssl.socketFactory", fixture.certificate.clientSocketFactory());
        props.put("mail.imaps.ssl.checkserveridentity", "true");
        props.put("mail.imaps.connectiontimeout", "10000");
        props.put("mail.imaps.timeout", "10000");
        Session session = Session.getInstance(props);
        Store store = session.getStore("imaps");
        store.connect("127.0.0.1", implicitTls.port(), ImapTestServers.USER, ImapTestServers.PASSWORD);
        try {
            List<String> folders = Arrays.stream(store.getDefaultFolder().list("*")).map(Folder::getFullName).toList();
            assertThat(folders).contains("INBOX");

            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress("bob@example.org"));
            message.setRecipient(Message.RecipientType.TO, new InternetAddress(ImapTestServers.USER));
            message.setSubject("Quarterly figures");
            message.setText("Hello Alice,\r\nthe figures are attached in spirit.\r\n", "UTF-8");
            message.saveChanges();

            Folder inbox = store.getFolder("INBOX");
            inbox.appendMessages(new Message[] {message});

            inbox.open(Folder.READ_ONLY);
            try {
                assertThat(inbox.getMessageCount()).isEqualTo(1);
                Message fetched = inbox.getMessage(1);
                assertThat(fetched.getSubject()).isEqualTo("Quarterly figures");
                assertThat(fetched.getContent()).isEqualTo("Hello Alice,\r\nthe figures are attached in spirit.\r\n");
            } finally {
                inbox.close(false);
            }
        } finally {
            store.close();
        }
    }

    @Test
    void connectionsGetNoReverseDnsLookup() throws Exception {
        try (RawImapConnection imap = new RawImapConnection("127.0.0.1", startTls.port())) {
            assertThat(imap.greeting()).startsWith("* OK");
        }
        // James decided, when its handler built the first connection's logging context, whether to resolve hosts
        assertThat(org.apache.james.protocols.netty.ProtocolMDCContextFactory.ADD_HOST_TO_MDC).isFalse();
    }

        @Test
    void plainListenerAdvertisesStartTlsAndLoginDisabled() throws Exception {
        try (RawImapConnection imap = new RawImapConnection("127.0.0.1", startTls.port())) {
            assertThat(imap.greeting()).startsWith("* OK");
            List<String> capability = imap.command("a1", "CAPABILITY");
            assertThat(capability.get(0)).startsWith("* CAPABILITY ").contains(" STARTTLS").contains(" LOGINDISABLED");
            assertThat(capability.get(capability.size() - 1)).startsWith("a1 OK");
        }
    }

    @Test
    void loginBeforeStartTlsIsRefused() throws Exception {
        try (RawImapConnection imap = new RawImapConnection("127.0.0.1", startTls.port())) {
            List<String> login = imap.command("a1", "LOGIN " + ImapTestServers.USER + " \"" + ImapTestServers.PASSWORD + "\"");
            assertThat(login.get(login.size() - 1)).startsWith("a1 NO");
            List<String> authenticate = imap.command("a2", "AUTHENTICATE PLAIN");
            assertThat(authenticate.get(authenticate.size() - 1)).startsWith("a2 NO");
            // Still not authenticated: James answers NO (not BAD) to a command outside its state.
            assertThat(imap.command("a3", "SELECT INBOX").get(0)).matches("a3 (NO|BAD) .*");
        }
    }

    @Test
    void startTlsThenLoginWorks() throws Exception {
        Properties props = new Properties();
        props.put("mail.imap.starttls.enable", "true");
        props.put("mail.imap.starttls.required", "true");
        props.put("mail.imap.ssl.socketFactory", fixture.certificate.clientSocketFactory());
        props.put("mail.imap.ssl.checkserveridentity", "true");
        props.put("mail.imap.connectiontimeout", "10000");
        props.put("mail.imap.timeout", "10000");
        Store store = Session.getInstance(props).getStore("imap");
        store.connect("127.0.0.1", startTls.port(), ImapTestServers.USER, ImapTestServers.PASSWORD);
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.exists()).isTrue();
            inbox.close(false);
        } finally {
            store.close();
        }
    }

    @Test
    void plaintextLoginWhenExplicitlyAllowedOnLoopback() throws Exception {
        try (MailroomImapServer plain = fixture.start(MailroomImapServer.Settings
                .startTls(ImapTestServers.LOOPBACK, 0, "mail.example.test").withPlaintextLoginAllowed(true));
             RawImapConnection imap = new RawImapConnection("127.0.0.1", plain.port())) {
            assertThat(imap.command("a1", "CAPABILITY").get(0)).contains(" STARTTLS").doesNotContain("LOGINDISABLED");
            List<String> login = imap.command("a2", "LOGIN " + ImapTestServers.USER + " \"" + ImapTestServers.PASSWORD + "\"");
            assertThat(login.get(login.size() - 1)).startsWith("a2 OK");
        }
    }

    @Test
    void plaintextLoginIsNotAllowedOffLoopback() {
        assertThatThrownBy(() -> MailroomImapServer.Settings
                .startTls(InetAddress.getByName("0.0.0.0"), 143, "mail.example.test").withPlaintextLoginAllowed(true))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("loopback");
    }

    @Test
    void closeReleasesThePort() throws Exception {
        MailroomImapServer server = fixture.start(
            MailroomImapServer.Settings.implicitTls(ImapTestServers.LOOPBACK, 0, "mail.example.test"));
        int port = server.port();
        server.close();
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void wrongPasswordIsRefusedOverTls() throws Exception {
        Properties props = new Properties();
        props.put("mail.imaps.ssl.socketFactory", fixture.certificate.clientSocketFactory());
        Store store = Session.getInstance(props).getStore("imaps");
        assertThatThrownBy(() -> store.connect("127.0.0.1", implicitTls.port(), ImapTestServers.USER, "wrong"))
            .isInstanceOf(jakarta.mail.AuthenticationFailedException.class);
    }
}
