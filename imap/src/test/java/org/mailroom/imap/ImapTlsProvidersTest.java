package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * Both TLS providers a listener can run on (OpenSSL where netty-tcnative loads, the JDK otherwise) carry IMAP over
 * implicit TLS and STARTTLS alike; the other IMAP tests run on the provider this platform prefers.
 */
class ImapTlsProvidersTest {

    @TempDir
    static Path directory;

    private static ImapTestServers fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new ImapTestServers(directory);
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void theServerTlsIsMadeByTheProviderAsked(SslProvider provider) throws Exception {
        SSLEngine engine = fixture.serverTls(provider).context().newEngine(ByteBufAllocator.DEFAULT);
        try {
            assertThat(engine instanceof ReferenceCountedOpenSslEngine).isEqualTo(provider == SslProvider.OPENSSL);
        } finally {
            ReferenceCountUtil.release(engine);
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void implicitTlsCarriesAppendAndAFetchOfALargeBody(SslProvider provider) throws Exception {
        try (MailroomImapServer server = fixture.start(
            MailroomImapServer.Settings.implicitTls(ImapTestServers.LOOPBACK, 0, "mail.example.test"), provider)) {
            Properties props = new Properties();
            props.put("mail.imaps.ssl.socketFactory", fixture.certificate.clientSocketFactory());
            props.put("mail.imaps.ssl.checkserveridentity", "true");
            props.put("mail.imaps.connectiontimeout", "10000");
            props.put("mail.imaps.timeout", "10000");
            Session session = Session.getInstance(props);
            String user = fixture.addUser("implicit-" + provider.name().toLowerCase());
            // Several TLS records (16 KB each) per FETCH response.
            String body = "line of the body, long enough to fill a few TLS records\r\n".repeat(4_000);
            Store store = session.getStore("imaps");
            store.connect("127.0.0.1", server.port(), user, ImapTestServers.PASSWORD);
            try {
                MimeMessage message = new MimeMessage(session);
                message.setFrom(new InternetAddress("bob@example.org"));
                message.setRecipient(Message.RecipientType.TO, new InternetAddress(user));
                message.setSubject("Over " + provider);
                message.setText(body, "UTF-8");
                message.saveChanges();
                Folder inbox = store.getFolder("INBOX");
                inbox.appendMessages(new Message[] {message});
                inbox.open(Folder.READ_ONLY);
                try {
                    assertThat(inbox.getMessage(1).getSubject()).isEqualTo("Over " + provider);
                    assertThat(inbox.getMessage(1).getContent()).isEqualTo(body);
                } finally {
                    inbox.close(false);
                }
            } finally {
                store.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void startTlsAnswersInClearThenHandshakesOnTls13Or12Only(SslProvider provider) throws Exception {
        try (MailroomImapServer server = fixture.start(
            MailroomImapServer.Settings.startTls(ImapTestServers.LOOPBACK, 0, "mail.example.test"), provider)) {
            SSLSocketFactory client = fixture.certificate.clientSocketFactory();
            assertThat(startTlsThenLogin(server.port(), client, null)).isEqualTo("TLSv1.3");
            assertThat(startTlsThenLogin(server.port(), client, "TLSv1.2")).isEqualTo("TLSv1.2");
        }
    }

    /** STARTTLS by hand: its OK must arrive in clear, the handshake follow; returns the protocol negotiated. */
    private static String startTlsThenLogin(int port, SSLSocketFactory factory, String onlyProtocol) throws Exception {
        try (Socket plain = new Socket(ImapTestServers.LOOPBACK, port)) {
            plain.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = plain.getOutputStream();
            assertThat(in.readLine()).startsWith("* OK");
            out.write("a1 STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(in.readLine()).startsWith("a1 OK");
            SSLSocket tls = (SSLSocket) factory.createSocket(plain, "localhost", port, true);
            if (onlyProtocol != null) {
                tls.setEnabledProtocols(new String[] {onlyProtocol});
            }
            tls.startHandshake();
            BufferedReader secureIn = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream secureOut = tls.getOutputStream();
            secureOut.write(("a2 LOGIN " + ImapTestServers.USER + " \"" + ImapTestServers.PASSWORD + "\"\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            secureOut.flush();
            String line;
            do {
                line = secureIn.readLine();
            } while (line != null && !line.startsWith("a2 "));
            assertThat(line).startsWith("a2 OK");
            return tls.getSession().getProtocol();
        }
    }
}
