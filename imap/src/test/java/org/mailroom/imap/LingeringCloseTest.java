package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailroom.tls.ServerTls;

/**
 * A close the server asks for loses nothing even when the client is still sending ({@link LingeringClose}): on the
 * native epoll transport and on NIO, in clear and over TLS, every line before the close arrives and the stream then
 * ends (no reset), many times over; and a client that never closes its side is closed by the server all the same.
 */
class LingeringCloseTest {

    /** More than the loopback socket buffers take at once, so some is still on its way when the server closes. */
    private static final String PIPELINED_BEHIND = "x NOOP\r\n".repeat(16 * 1024);
    private static final int ROUNDS = 10;

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

    static Stream<Arguments> transports() {
        return Stream.of(
            Arguments.of("native epoll where available", (Supplier<ImapEventLoops>) () -> ImapEventLoops.create(1)),
            Arguments.of("NIO", (Supplier<ImapEventLoops>) () -> ImapEventLoops.nio(1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void logoutWithCommandsPipelinedBehindItEndsWithItsLinesAndThenTheStream(String name, Supplier<ImapEventLoops> transport)
            throws Exception {
        try (ImapEventLoops loops = transport.get();
             MailroomImapServer server = start(plainSettings(), loops, ImapObserver.NONE)) {
            for (int round = 0; round < ROUNDS; round++) {
                try (ImapClient imap = new ImapClient(server.port())) {
                    assertThat(ImapClient.last(imap.login(ImapTestServers.USER, ImapTestServers.PASSWORD)))
                        .startsWith("t1 OK");
                    String tag = imap.nextTag();
                    imap.send(tag + " LOGOUT\r\n" + PIPELINED_BEHIND);
                    assertThat(linesUntilEndOfStream(imap::readLine)).as("round %d", round)
                        .containsExactly("* BYE IMAP4rev1 Server logging out", tag + " OK LOGOUT completed.");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void overTlsTheLogoutLinesComeBeforeTheEndOfStream(String name, Supplier<ImapEventLoops> transport) throws Exception {
        MailroomImapServer.Settings implicitTls = MailroomImapServer.Settings.implicitTls(ImapTestServers.LOOPBACK, 0,
            "mail.example.test");
        try (ImapEventLoops loops = transport.get();
             MailroomImapServer server = start(implicitTls, loops, ImapObserver.NONE)) {
            for (int round = 0; round < ROUNDS; round++) {
                try (TlsImapClient imap = new TlsImapClient(fixture.certificate.clientSocketFactory(), server.port())) {
                    assertThat(TlsImapClient.last(imap.login(ImapTestServers.USER, ImapTestServers.PASSWORD)))
                        .contains("OK");
                    String tag = imap.nextTag();
                    imap.send(tag + " LOGOUT\r\n" + "x NOOP\r\n".repeat(100));
                    assertThat(linesUntilEndOfStream(imap::readRawLine)).as("round %d", round)
                        .containsExactly("* BYE IMAP4rev1 Server logging out", tag + " OK LOGOUT completed.");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void aClientThatNeverClosesIsClosedAfterTheDrain(String name, Supplier<ImapEventLoops> transport) throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        ImapObserver observer = new ImapObserver() {
            @Override
            public void sessionClosed() {
                closed.countDown();
            }
        };
        try (ImapEventLoops loops = transport.get();
             MailroomImapServer server = start(plainSettings(), loops, observer);
             ImapClient imap = new ImapClient(server.port())) {
            String tag = imap.nextTag();
            imap.send(tag + " LOGOUT\r\n");
            assertThat(linesUntilEndOfStream(imap::readLine)).endsWith(tag + " OK LOGOUT completed.");
            // the client keeps its side open: the server waits no longer than the drain
            long start = System.nanoTime();
            assertThat(closed.await(LingeringClose.DRAIN.toMillis() + 10_000, TimeUnit.MILLISECONDS)).isTrue();
            assertThat(System.nanoTime() - start)
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(LingeringClose.DRAIN.toMillis() / 2));
        }
    }

    private interface LineSource {
        String next() throws IOException;
    }

    /** Reads until the end of the stream; a reset or a read timeout fails the test. */
    private static List<String> linesUntilEndOfStream(LineSource lines) throws IOException {
        List<String> read = new ArrayList<>();
        String line;
        while ((line = lines.next()) != null) {
            read.add(line);
        }
        return read;
    }

    private MailroomImapServer start(MailroomImapServer.Settings settings, ImapEventLoops loops, ImapObserver observer)
            throws Exception {
        return MailroomImapServer.start(fixture.store, fixture.serverTls(ServerTls.preferredProvider()), fixture.metrics,
            settings, new LoginThrottle(settings.limits().throttle(), Clock.systemUTC()), observer, loops);
    }

    private static MailroomImapServer.Settings plainSettings() {
        return MailroomImapServer.Settings.startTls(ImapTestServers.LOOPBACK, 0, "mail.example.test")
            .withPlaintextLoginAllowed(true);
    }
}
