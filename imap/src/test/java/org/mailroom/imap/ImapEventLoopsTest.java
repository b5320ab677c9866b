package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mailroom.tls.ServerTls;

import io.netty.channel.epoll.Epoll;

/**
 * The IMAP listeners' transport: Netty's native epoll loops on Linux x86-64 (the platform of the native library
 * shipped), NIO loops as the fallback, both serving the whole pipeline (STARTTLS, implicit TLS, login, commands), and
 * one group of loops shared by two listeners, one of which can stop without the other.
 */
class ImapEventLoopsTest {

    @TempDir
    Path directory;

    private ImapTestServers fixture;

    @BeforeEach
    void openStore() throws Exception {
        fixture = new ImapTestServers(directory);
    }

    @AfterEach
    void closeStore() {
        fixture.close();
    }

    @Test
    void listenersRunOnNativeEpollWhereItIsShipped() throws Exception {
        boolean linuxX86 = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
            && System.getProperty("os.arch").matches("amd64|x86_64");
        assertThat(Epoll.isAvailable())
            .as("native epoll on %s/%s: %s", System.getProperty("os.name"), System.getProperty("os.arch"),
                Epoll.unavailabilityCause())
            .isEqualTo(linuxX86);
        try (MailroomImapServer server = fixture.start(startTls())) {
            assertThat(server.nativeTransport()).isEqualTo(linuxX86);
            assertThat(startTlsSession(server.port())).startsWith("a3 OK");
        }
    }

    @Test
    void nioLoopsServeTheSamePipeline() throws Exception {
        try (ImapEventLoops nio = ImapEventLoops.nio(1);
             MailroomImapServer startTls = start(startTls(), nio);
             MailroomImapServer implicitTls = start(implicitTls(), nio)) {
            assertThat(nio.nativeTransport()).isFalse();
            assertThat(startTls.nativeTransport()).isFalse();
            assertThat(startTlsSession(startTls.port())).startsWith("a3 OK");
            assertThat(implicitTlsSession(implicitTls.port())).contains(" OK [READ-WRITE]");
        }
    }

    @Test
    void sharedLoopsOutliveOneListenerWhoseConnectionsClose() throws Exception {
        try (ImapEventLoops loops = ImapEventLoops.create(2);
             MailroomImapServer startTls = start(startTls(), loops)) {
            assertThat(startTls.nativeTransport()).isEqualTo(loops.nativeTransport());
            MailroomImapServer implicitTls = start(implicitTls(), loops);
            try (TlsImapClient loggedIn = new TlsImapClient(fixture.certificate.clientSocketFactory(), implicitTls.port());
                 TlsImapClient greeted = new TlsImapClient(fixture.certificate.clientSocketFactory(), implicitTls.port())) {
                assertThat(TlsImapClient.last(loggedIn.login(ImapTestServers.USER, ImapTestServers.PASSWORD)))
                    .contains("OK");
                implicitTls.close();
                // The stopped listener closes its own connections although the loops run on.
                assertClosedByServer(loggedIn);
                assertClosedByServer(greeted);
            }
            assertThat(startTlsSession(startTls.port())).startsWith("a3 OK");
        }
    }

    /** Reads until the end of the stream; a read timeout (the connection left open) fails. */
    private static void assertClosedByServer(TlsImapClient client) throws IOException {
        try {
            while (client.readRawLine() != null) {
                // a BYE or TLS close may come first
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection stayed open", e);
        } catch (IOException closedAbruptly) {
            // a reset is a close too
        }
    }

    private MailroomImapServer start(MailroomImapServer.Settings settings, ImapEventLoops loops) throws Exception {
        return MailroomImapServer.start(fixture.store, fixture.serverTls(ServerTls.preferredProvider()), fixture.metrics, settings,
            new LoginThrottle(settings.limits().throttle(), java.time.Clock.systemUTC()), ImapObserver.NONE, loops);
    }

    private static MailroomImapServer.Settings startTls() {
        return MailroomImapServer.Settings.startTls(ImapTestServers.LOOPBACK, 0, "mail.example.test");
    }

    private static MailroomImapServer.Settings implicitTls() {
        return MailroomImapServer.Settings.implicitTls(ImapTestServers.LOOPBACK, 0, "mail.example.test");
    }

    /** Greeting, STARTTLS, the handshake, LOGIN and SELECT INBOX; returns SELECT's tagged answer. */
    private String startTlsSession(int port) throws Exception {
        try (Socket plain = new Socket("127.0.0.1", port)) {
            plain.setSoTimeout(15_000);
            BufferedReader in = reader(plain);
            assertThat(in.readLine()).startsWith("* OK");
            assertThat(command(plain, in, "a1 STARTTLS")).last().asString().startsWith("a1 OK");
            try (SSLSocket tls = (SSLSocket) fixture.certificate.clientSocketFactory()
                    .createSocket(plain, "127.0.0.1", port, true)) {
                tls.startHandshake();
                BufferedReader tlsIn = reader(tls);
                assertThat(command(tls, tlsIn, "a2 LOGIN " + ImapTestServers.USER + " \""
                    + ImapTestServers.PASSWORD + "\"")).last().asString().startsWith("a2 OK");
                List<String> select = command(tls, tlsIn, "a3 SELECT INBOX");
                return select.get(select.size() - 1);
            }
        }
    }

    /** LOGIN and SELECT INBOX over implicit TLS; returns SELECT's tagged answer. */
    private String implicitTlsSession(int port) throws Exception {
        try (TlsImapClient client = new TlsImapClient(fixture.certificate.clientSocketFactory(), port)) {
            assertThat(client.greeting()).startsWith("* OK");
            assertThat(TlsImapClient.last(client.login(ImapTestServers.USER, ImapTestServers.PASSWORD))).contains("OK");
            return TlsImapClient.last(client.command("SELECT INBOX"));
        }
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
    }

    private static List<String> command(Socket socket, BufferedReader in, String line) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String tag = line.substring(0, line.indexOf(' ') + 1);
        List<String> lines = new ArrayList<>();
        String read;
        do {
            read = in.readLine();
            assertThat(read).as("answer to %s", line).isNotNull();
            lines.add(read);
        } while (!read.startsWith(tag));
        return lines;
    }
}
