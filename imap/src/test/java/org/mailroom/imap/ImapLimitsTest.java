package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Line and literal limits, connections per IP, idle and login timeouts, failed-login throttling. */
class ImapLimitsTest {

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

    private static ImapLimits noThrottle() {
        return ImapLimits.defaults().withThrottle(LoginThrottle.Policy.disabled());
    }

    @Test
    void oversizedLiteralIsRefusedAndTheServerKeepsServing() throws Exception {
        String user = fixture.addUser("literal");
        try (MailroomImapServer server = fixture.startPlain(noThrottle().withMaxLiteralSize(4096), FolderNames.defaults());
             ImapClient bad = new ImapClient(server.port());
             ImapClient good = new ImapClient(server.port())) {
            bad.login(user, ImapTestServers.PASSWORD);
            good.login(user, ImapTestServers.PASSWORD);
            String tag = bad.nextTag();
            bad.send(tag + " APPEND INBOX {100000}\r\n");
            String answer = bad.readLine();
            if (answer != null && answer.startsWith("+")) {
                // James asks for the bytes and refuses the literal once it reads its size against the limit
                try {
                    bad.send("x".repeat(100_000) + "\r\n");
                    answer = bad.readLine();
                } catch (java.io.IOException closed) {
                    answer = null;
                }
            }
            assertThat(answer == null || answer.matches("(" + tag + "|\\*) (NO|BAD|BYE).*")).as(answer).isTrue();
            assertThat(ImapClient.last(good.append("INBOX", null, "fine"))).contains("OK");
            assertThat(good.command("STATUS INBOX (MESSAGES)")).anyMatch(l -> l.contains("MESSAGES 1"));
        }
        try (MailroomImapServer server = fixture.startPlain(noThrottle(), FolderNames.defaults());
             ImapClient check = new ImapClient(server.port())) {
            check.login(user, ImapTestServers.PASSWORD);
            assertThat(check.command("STATUS INBOX (MESSAGES)")).anyMatch(l -> l.contains("MESSAGES 1"));
        }
    }

    @Test
    void overlongLineIsRefusedAndTheServerKeepsServing() throws Exception {
        String user = fixture.addUser("longline");
        try (MailroomImapServer server = fixture.startPlain(noThrottle().withMaxLineLength(4096), FolderNames.defaults());
             ImapClient bad = new ImapClient(server.port());
             ImapClient good = new ImapClient(server.port())) {
            String tag = bad.nextTag();
            bad.send(tag + " NOOP " + "x".repeat(100_000) + "\r\n");
            String answer = bad.readLine();
            assertThat(answer == null || answer.matches("(" + tag + "|\\*) (BAD|NO|BYE).*")).as(answer).isTrue();
            assertThat(ImapClient.last(good.login(user, ImapTestServers.PASSWORD))).contains("OK");
            assertThat(ImapClient.last(good.command("NOOP"))).contains("OK");
        }
    }

    @Test
    void connectionsPerIpAreLimited() throws Exception {
        try (MailroomImapServer server = fixture.startPlain(noThrottle().withConnectionsPerIp(2), FolderNames.defaults());
             ImapClient first = new ImapClient(server.port());
             ImapClient second = new ImapClient(server.port());
             ImapClient third = new ImapClient(server.port())) {
            assertThat(first.greeting()).startsWith("* OK");
            assertThat(second.greeting()).startsWith("* OK");
            assertThat(third.greeting()).isNull();
            assertThat(ImapClient.last(first.command("NOOP"))).contains("OK");
        }
    }

    @Test
    void aLoggedOutConnectionGivesBackItsPlaceBeforeTheClientCloses() throws Exception {
        String user = fixture.addUser("relogin");
        try (MailroomImapServer server = fixture.startPlain(noThrottle().withConnectionsPerIp(2), FolderNames.defaults());
             ImapClient leaving = new ImapClient(server.port());
             ImapClient staying = new ImapClient(server.port())) {
            leaving.login(user, ImapTestServers.PASSWORD);
            assertThat(leaving.command("LOGOUT")).anyMatch(l -> l.startsWith("* BYE")).last().asString().contains("OK");
            // the logged-out socket is still open on the client's side (the server drains it until the client closes
            // it): a client connecting again right after LOGOUT, as imaptest's sessions do, gets a place
            try (ImapClient again = new ImapClient(server.port());
                 ImapClient oneTooMany = new ImapClient(server.port())) {
                assertThat(again.greeting()).startsWith("* OK");
                assertThat(ImapClient.last(again.login(user, ImapTestServers.PASSWORD))).contains("OK");
                assertThat(oneTooMany.greeting()).as("the limit still holds for open sessions").isNull();
            }
            assertThat(ImapClient.last(staying.command("NOOP"))).contains("OK");
        }
    }

    @Test
    void unauthenticatedConnectionIsClosedAfterTheLoginTimeout() throws Exception {
        String user = fixture.addUser("logintimeout");
        try (MailroomImapServer server = fixture.startPlain(noThrottle().withLoginTimeout(Duration.ofSeconds(1)),
                FolderNames.defaults());
             ImapClient lazy = new ImapClient(server.port());
             ImapClient quick = new ImapClient(server.port())) {
            quick.login(user, ImapTestServers.PASSWORD);
            long start = System.nanoTime();
            assertThat(lazy.readLine()).startsWith("* BYE");
            assertThat(lazy.isClosedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            Thread.sleep(500);
            assertThat(ImapClient.last(quick.command("NOOP"))).contains("OK");
        }
    }

    @Test
    void idleConnectionIsLoggedOut() throws Exception {
        String user = fixture.addUser("idletimeout");
        try (MailroomImapServer server = fixture.startPlain(noThrottle().withIdleTimeout(Duration.ofSeconds(2)),
                FolderNames.defaults());
             ImapClient idle = new ImapClient(server.port())) {
            idle.login(user, ImapTestServers.PASSWORD);
            long start = System.nanoTime();
            String line;
            do {
                line = idle.readLine();
            } while (line != null);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(10));
        }
    }

    @Test
    void failedLoginsForOneUserAreThrottledButOtherUsersAreNot() throws Exception {
        String victim = fixture.addUser("victim");
        String other = fixture.addUser("bystander");
        // Delays of 4 s and more against unthrottled logins under 3 s: a login (a password hash) can take 2 s on a
        // 2-core machine shared with other builds.
        LoginThrottle.Policy policy = new LoginThrottle.Policy(2, 100, Duration.ofSeconds(4), Duration.ofSeconds(16),
            Duration.ofMinutes(5));
        try (MailroomImapServer server = fixture.startPlain(ImapLimits.defaults().withThrottle(policy), FolderNames.defaults())) {
            for (int i = 0; i < 2; i++) {
                assertThat(timedLogin(server, victim, "wrong").elapsed()).isLessThan(Duration.ofMillis(3000));
            }
            TimedLogin third = timedLogin(server, victim, "wrong");
            assertThat(third.response()).contains("NO");
            assertThat(third.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(3900));
            TimedLogin fourth = timedLogin(server, victim, "wrong");
            assertThat(fourth.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(7900));

            TimedLogin bystander = timedLogin(server, other, ImapTestServers.PASSWORD);
            assertThat(bystander.response()).contains("OK");
            assertThat(bystander.elapsed()).isLessThan(Duration.ofMillis(3000));
        }
    }

    @Test
    void failedLoginsFromOneAddressAreThrottledAcrossUsers() throws Exception {
        LoginThrottle.Policy policy = new LoginThrottle.Policy(100, 2, Duration.ofSeconds(4), Duration.ofSeconds(16),
            Duration.ofMinutes(5));
        try (MailroomImapServer server = fixture.startPlain(ImapLimits.defaults().withThrottle(policy), FolderNames.defaults())) {
            assertThat(timedLogin(server, "nobody1@example.test", "x").elapsed()).isLessThan(Duration.ofMillis(3000));
            assertThat(timedLogin(server, "nobody2@example.test", "x").elapsed()).isLessThan(Duration.ofMillis(3000));
            assertThat(timedLogin(server, "nobody3@example.test", "x").elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(3900));
        }
    }

    private record TimedLogin(String response, Duration elapsed) {
    }

    private static TimedLogin timedLogin(MailroomImapServer server, String user, String password) throws Exception {
        try (ImapClient imap = new ImapClient(server.port())) {
            long start = System.nanoTime();
            List<String> answer = imap.login(user, password);
            return new TimedLogin(ImapClient.last(answer), Duration.ofNanos(System.nanoTime() - start));
        }
    }
}
