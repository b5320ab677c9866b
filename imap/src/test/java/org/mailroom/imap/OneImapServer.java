package org.mailroom.imap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One store ({@link ImapTestServers}: real Derby files in a temporary folder) and one listener for a whole test class,
 * registered as {@code @RegisterExtension static final OneImapServer testServer = ...}: made before the class's first test
 * (and before its own {@code @BeforeAll} methods, which may seed it), closed and deleted after its last.
 */
final class OneImapServer implements BeforeAllCallback, AfterAllCallback {

    /** How the class's listener is started on the store. */
    @FunctionalInterface
    interface Listener {
        MailroomImapServer start(ImapTestServers fixture) throws Exception;
    }

    private final Listener listener;
    private Path directory;
    private ImapTestServers fixture;
    private MailroomImapServer server;

    private OneImapServer(Listener listener) {
        this.listener = listener;
    }

    /** A loopback STARTTLS listener that allows LOGIN in clear ({@link ImapTestServers#startPlain}), default folders. */
    static OneImapServer plain(ImapLimits limits) {
        return new OneImapServer(fixture -> fixture.startPlain(limits, FolderNames.defaults()));
    }

    /** An implicit-TLS listener without the failed-login throttle, for real clients (Angus Mail) over TLS. */
    static OneImapServer implicitTlsWithoutThrottle() {
        return new OneImapServer(fixture -> fixture.start(
            MailroomImapServer.Settings.implicitTls(ImapTestServers.LOOPBACK, 0, "mail.example.test")
                .withLimits(ImapLimits.defaults().withThrottle(LoginThrottle.Policy.disabled()))));
    }

    ImapTestServers fixture() {
        return fixture;
    }

    MailroomImapServer server() {
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        directory = Files.createTempDirectory("mailroom-imap-test");
        fixture = new ImapTestServers(directory);
        server = listener.start(fixture);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (server != null) {
            server.close();
        }
        if (fixture != null) {
            fixture.close();
        }
        if (directory != null) {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }
}
