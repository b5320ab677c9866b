package org.mailroom.imap.learning;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.mail.Flags;

import org.mailroom.tls.ServerTls;
import org.apache.james.core.Username;
import org.apache.james.events.Event;
import org.apache.james.events.EventListener;
import org.apache.james.events.Registration;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.events.MailboxEvents.FlagsUpdated;
import org.apache.james.mailbox.events.MailboxIdRegistrationKey;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.metrics.api.MetricFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.imap.FolderNames;
import org.mailroom.imap.ImapLimits;
import org.mailroom.imap.MailroomImapServer;
import org.mailroom.sorter.learning.UserAction;
import org.mailroom.sorter.learning.UserAction.Kind;
import org.mailroom.sorter.learning.UserActionListener;
import org.mailroom.storage.mailbox.MailboxStore;
import org.mailroom.storage.metrics.MicrometerMetricFactory;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.MailroomAuthenticator;
import org.mailroom.storage.user.PasswordHasher;
import org.mailroom.storage.user.UserRepository;
import org.mailroom.testing.TestCertificate;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.DefaultEventLoop;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The user actions that teach the sorter, driven by a real IMAP client over a real Derby store: each fires once,
 * with the right user, message and folders, and nothing else fires. The publisher is synchronous, so every action
 * has reached the listener when the tagged OK arrives; the counts are exact.
 */
class UserActionPublisherTest {

    private static final String PASSWORD = "correct horse battery staple";
    private static final AtomicInteger USERS = new AtomicInteger();

    @TempDir
    static Path directory;

    // One store and server for the class (opening Derby, making a certificate and starting the listener cost
    // seconds); each test has a user of its own, so its folders start as a fresh account's do.
    private static Database database;
    private static MailboxStore store;
    private static MailroomImapServer server;
    private static Registration registration;
    private static UserRepository users;
    private static final List<UserAction> actions = Collections.synchronizedList(new ArrayList<>());
    /** The name of the thread each action was published on. */
    private static final List<String> threads = Collections.synchronizedList(new ArrayList<>());
    private static final AtomicInteger failures = new AtomicInteger();
    private static volatile boolean failing;

    private String user;

    @BeforeAll
    static void start() throws Exception {
        database = Database.open(DatabaseSettings.embedded(directory.resolve("data")));
        DomainRepository domains = new DomainRepository(database);
        users = new UserRepository(database, domains, PasswordHasher.weakForTestsOnly(1_000));
        domains.add("example.test");
        MailroomAuthenticator authenticator = new MailroomAuthenticator(users);
        MetricFactory metrics = new MicrometerMetricFactory(new SimpleMeterRegistry());
        store = new MailboxStore(database, authenticator, authenticator, metrics, Clock.systemUTC(),
            MailboxStore.Settings.defaults(), Set.of());
        UserActionListener recorder = action -> {
            actions.add(action);
            threads.add(Thread.currentThread().getName());
            if (failing) {
                failures.incrementAndGet();
                throw new IllegalStateException("sorter is broken");
            }
        };
        registration = UserActionPublisher.register(store, FolderNames.defaults(), recorder);
        server = MailroomImapServer.start(store, ServerTls.forKeyManager(TestCertificate.generate(directory).keyManager()), metrics,
            MailroomImapServer.Settings.startTls(InetAddress.getLoopbackAddress(), 0, "mail.example.test")
                .withPlaintextLoginAllowed(true).withLimits(ImapLimits.defaults())
                .withFolders(FolderNames.defaults()));
    }

    @BeforeEach
    void freshUser() {
        user = "alice" + USERS.incrementAndGet() + "@example.test";
        users.add(user, PASSWORD.toCharArray());
        actions.clear();
        threads.clear();
        failures.set(0);
        failing = false;
    }

    @AfterAll
    static void stop() {
        if (registration != null) {
            reactor.core.publisher.Mono.from(registration.unregister()).block();
        }
        if (server != null) {
            server.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void plainAppendAndServerDeliveryFireNothing() throws Exception {
        try (Client imap = client()) {
            imap.append("INBOX", null, "<plain@example.org>");
            imap.append("Spam", "$Junk \\Flagged", "<flagged@example.org>");
            imap.append("Priority", "$Important", "<important@example.org>");
        }
        deliver("Spam", "<delivered-spam@example.org>", new Flags("$Junk"));
        deliver("Priority", "<delivered-priority@example.org>", new Flags("$Important"));
        assertThat(actions).isEmpty();
    }

    @Test
    void moveIntoSpamFiresMovedIntoSpamOnce() throws Exception {
        try (Client imap = client()) {
            imap.append("INBOX", null, "<move-in@example.org>");
            String messageId = storeMessageId("INBOX");
            imap.ok("SELECT INBOX");
            imap.ok("MOVE 1 Spam");

            assertThat(actions).hasSize(1);
            UserAction action = actions.get(0);
            assertThat(action.kind()).isEqualTo(Kind.MOVED_INTO_SPAM);
            assertThat(action.user()).isEqualTo(user);
            assertThat(action.messageId()).isEqualTo(messageId);
            assertThat(action.sourceFolder()).contains("INBOX");
            assertThat(action.targetFolder()).contains("Spam");
            assertThat(storeMessageId("Spam")).isEqualTo(messageId);
        }
    }

    @Test
    void moveOutOfSpamToInboxFiresMovedOutOfSpamOnce() throws Exception {
        try (Client imap = client()) {
            imap.append("Spam", null, "<move-out@example.org>");
            String messageId = storeMessageId("Spam");
            imap.ok("SELECT Spam");
            imap.ok("UID MOVE 1 INBOX");

            assertThat(actions).singleElement().satisfies(action -> {
                assertThat(action.kind()).isEqualTo(Kind.MOVED_OUT_OF_SPAM);
                assertThat(action.user()).isEqualTo(user);
                assertThat(action.messageId()).isEqualTo(messageId);
                assertThat(action.sourceFolder()).contains("Spam");
                assertThat(action.targetFolder()).contains("INBOX");
            });
        }
    }

    @Test
    void moveIntoAndOutOfPriority() throws Exception {
        try (Client imap = client()) {
            imap.append("INBOX", null, "<priority@example.org>");
            imap.ok("SELECT INBOX");
            imap.ok("MOVE 1 Priority");
            imap.ok("SELECT Priority");
            imap.ok("MOVE 1 Archive");
        }
        assertThat(actions).extracting(UserAction::kind)
            .containsExactly(Kind.MOVED_INTO_PRIORITY, Kind.MOVED_OUT_OF_PRIORITY);
        assertThat(actions.get(1).targetFolder()).contains("Archive");
    }

    @Test
    void moveFromPriorityToSpamIsOneMoveOutAndOneMoveIn() throws Exception {
        try (Client imap = client()) {
            imap.append("Priority", null, "<p2s@example.org>");
            imap.ok("SELECT Priority");
            imap.ok("MOVE 1 Spam");
        }
        assertThat(actions).extracting(UserAction::kind)
            .containsExactly(Kind.MOVED_OUT_OF_PRIORITY, Kind.MOVED_INTO_SPAM);
        assertThat(actions).extracting(UserAction::messageId).containsOnly(actions.get(0).messageId());
    }

    @Test
    void moveBetweenOrdinaryFoldersFiresNothing() throws Exception {
        try (Client imap = client()) {
            imap.append("INBOX", null, "<plain-move@example.org>");
            imap.ok("SELECT INBOX");
            imap.ok("MOVE 1 Archive");
            imap.ok("SELECT Archive");
            imap.ok("COPY 1 INBOX");
        }
        assertThat(actions).isEmpty();
    }

    @Test
    void copyIntoPriorityFiresCopiedIntoPriorityOnceEvenWhenTheOriginalIsExpunged() throws Exception {
        try (Client imap = client()) {
            imap.append("INBOX", null, "<copy@example.org>");
            String messageId = storeMessageId("INBOX");
            imap.ok("SELECT INBOX");
            imap.ok("COPY 1 Priority");

            assertThat(actions).singleElement().satisfies(action -> {
                assertThat(action.kind()).isEqualTo(Kind.COPIED_INTO_PRIORITY);
                assertThat(action.user()).isEqualTo(user);
                assertThat(action.messageId()).isEqualTo(messageId);
                assertThat(action.sourceFolder()).contains("INBOX");
                assertThat(action.targetFolder()).contains("Priority");
            });

            // A client without MOVE finishes the move: the original's deletion is not a second action.
            imap.ok("STORE 1 +FLAGS.SILENT (\\Deleted)");
            imap.ok("EXPUNGE");
            assertThat(actions).hasSize(1);
        }
    }

    @Test
    void copyIntoSpamFiresCopiedIntoSpam() throws Exception {
        try (Client imap = client()) {
            imap.append("INBOX", null, "<copy-spam@example.org>");
            imap.ok("SELECT INBOX");
            imap.ok("UID COPY 1 Spam");
        }
        assertThat(actions).extracting(UserAction::kind).containsExactly(Kind.COPIED_INTO_SPAM);
    }

    @Test
    void copyOutOfSpamThenExpungeIsOneMoveOutOfSpam() throws Exception {
        try (Client imap = client()) {
            imap.append("Spam", null, "<rescued@example.org>");
            String messageId = storeMessageId("Spam");
            imap.ok("SELECT Spam");
            imap.ok("COPY 1 INBOX");
            assertThat(actions).isEmpty();

            imap.ok("STORE 1 +FLAGS.SILENT (\\Deleted)");
            imap.ok("EXPUNGE");
            assertThat(actions).singleElement().satisfies(action -> {
                assertThat(action.kind()).isEqualTo(Kind.MOVED_OUT_OF_SPAM);
                assertThat(action.messageId()).isEqualTo(messageId);
                assertThat(action.sourceFolder()).contains("Spam");
                assertThat(action.targetFolder()).contains("INBOX");
            });
        }
    }

    @Test
    void expungeInSpamWithoutACopyFiresNothing() throws Exception {
        try (Client imap = client()) {
            imap.append("Spam", null, "<deleted@example.org>");
            imap.ok("SELECT Spam");
            imap.ok("STORE 1 +FLAGS.SILENT (\\Deleted)");
            imap.ok("EXPUNGE");
        }
        assertThat(actions).isEmpty();
    }

    @Test
    void junkKeywordSetAndCleared() throws Exception {
        try (Client imap = client()) {
            imap.append("INBOX", null, "<junk@example.org>");
            String messageId = storeMessageId("INBOX");
            imap.ok("SELECT INBOX");
            imap.ok("STORE 1 +FLAGS ($Junk)");
            assertThat(actions).singleElement().satisfies(action -> {
                assertThat(action.kind()).isEqualTo(Kind.MARKED_JUNK);
                assertThat(action.user()).isEqualTo(user);
                assertThat(action.messageId()).isEqualTo(messageId);
                assertThat(action.sourceFolder()).isEmpty();
                assertThat(action.targetFolder()).contains("INBOX");
            });
            imap.ok("STORE 1 +FLAGS ($Junk)"); // already set: no change, no action
            imap.ok("STORE 1 -FLAGS ($Junk)");
        }
        assertThat(actions).extracting(UserAction::kind).containsExactly(Kind.MARKED_JUNK, Kind.UNMARKED_JUNK);
    }

    @Test
    void notJunkImportantAndFlaggedBothWays() throws Exception {
        try (Client imap = client()) {
            imap.append("INBOX", null, "<keywords@example.org>");
            imap.ok("SELECT INBOX");
            imap.ok("STORE 1 +FLAGS ($NotJunk)");
            imap.ok("STORE 1 -FLAGS ($NotJunk)");
            imap.ok("UID STORE 1 +FLAGS.SILENT ($Important)");
            imap.ok("UID STORE 1 -FLAGS.SILENT ($Important)");
            imap.ok("STORE 1 +FLAGS (\\Flagged)");
            imap.ok("STORE 1 -FLAGS (\\Flagged)");
            imap.ok("STORE 1 +FLAGS (\\Seen \\Answered $Label1)"); // not learning signals
        }
        assertThat(actions).extracting(UserAction::kind).containsExactly(
            Kind.MARKED_NOT_JUNK, Kind.UNMARKED_NOT_JUNK,
            Kind.MARKED_IMPORTANT, Kind.UNMARKED_IMPORTANT,
            Kind.FLAGGED, Kind.UNFLAGGED);
        assertThat(actions).extracting(UserAction::messageId).containsOnly(actions.get(0).messageId());
    }

    @Test
    void replacingFlagsReportsEachChangeOncePerMessage() throws Exception {
        try (Client imap = client()) {
            imap.append("INBOX", null, "<one@example.org>");
            imap.append("INBOX", "$Junk", "<two@example.org>");
            imap.ok("SELECT INBOX");
            imap.ok("STORE 1:2 FLAGS (\\Flagged $Junk)");
        }
        // message 1 gains both; message 2 already had $Junk and only gains \Flagged
        List<String> ids = storeMessageIds("INBOX");
        assertThat(actions).extracting(UserAction::kind)
            .containsExactlyInAnyOrder(Kind.MARKED_JUNK, Kind.FLAGGED, Kind.FLAGGED);
        assertThat(actions).extracting(UserAction::messageId)
            .containsExactlyInAnyOrder(ids.get(0), ids.get(0), ids.get(1));
    }

    @Test
    void publishedOnTheDispatchingThreadAndHandedOffOnlyFromThreadsThatMustNotBlock() throws Exception {
        List<Event> dispatched = new CopyOnWriteArrayList<>();
        try (Client imap = client()) {
            imap.append("INBOX", null, "<threads@example.org>");
            MailboxSession session = store.mailboxManager().createSystemSession(Username.of(user));
            MailboxId inbox = store.mailboxManager().getMailbox(MailboxPath.inbox(Username.of(user)), session).getId();
            Registration recording = Mono.from(store.eventBus().register(
                (EventListener.ReactiveEventListener) event -> Mono.fromRunnable(() -> dispatched.add(event)),
                new MailboxIdRegistrationKey(inbox))).block();
            try {
                imap.ok("SELECT INBOX");
                imap.ok("STORE 1 +FLAGS ($Junk)");
            } finally {
                Mono.from(recording.unregister()).block();
            }
        }
        // the STORE's transaction thread, which dispatched the event: James's wrapper moved it to its own pool
        assertThat(threads).singleElement().asString().startsWith("boundedElastic");

        Event flagged = dispatched.stream().filter(FlagsUpdated.class::isInstance).findFirst().orElseThrow();
        List<String> publishedOn = new CopyOnWriteArrayList<>();
        UserActionPublisher publisher = new UserActionPublisher(store.mailboxManager(), FolderNames.defaults(),
            action -> publishedOn.add(Thread.currentThread().getName()), Clock.systemUTC());
        Mono.from(publisher.reactiveEvent(flagged)).block();
        Mono.defer(() -> Mono.from(publisher.reactiveEvent(flagged))).subscribeOn(Schedulers.parallel()).block();
        DefaultEventLoop eventLoop = new DefaultEventLoop();
        try {
            eventLoop.submit(() -> Mono.from(publisher.reactiveEvent(flagged)).block()).get(10, TimeUnit.SECONDS);
        } finally {
            eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        assertThat(publishedOn).hasSize(3);
        assertThat(publishedOn.get(0)).isEqualTo(Thread.currentThread().getName());
        assertThat(publishedOn.get(1)).startsWith("blocking-call-wrapper");
        assertThat(publishedOn.get(2)).startsWith("blocking-call-wrapper");
    }

    @Test
    void aListenerThatThrowsDoesNotFailTheCommand() throws Exception {
        failing = true;
        try (Client imap = client()) {
            imap.append("INBOX", null, "<broken@example.org>");
            imap.ok("SELECT INBOX");
            imap.ok("STORE 1 +FLAGS ($Junk)");
            imap.ok("MOVE 1 Spam");
            imap.ok("SELECT Spam");
            List<String> fetch = imap.ok("FETCH 1 (FLAGS)");
            assertThat(String.join("\n", fetch)).contains("$Junk");
        }
        assertThat(failures).hasValue(2);
        assertThat(actions).extracting(UserAction::kind).containsExactly(Kind.MARKED_JUNK, Kind.MOVED_INTO_SPAM);
    }

    private Client client() throws IOException {
        Client client = new Client(server.port());
        client.ok("LOGIN \"" + user + "\" \"" + PASSWORD + "\"");
        return client;
    }

    /** The store's MessageId of the only message in the folder. */
    private String storeMessageId(String folder) throws Exception {
        List<String> ids = storeMessageIds(folder);
        assertThat(ids).hasSize(1);
        return ids.get(0);
    }

    /** The store's ids of the folder's messages, in UID order. */
    private List<String> storeMessageIds(String folder) throws Exception {
        MailboxSession session = store.mailboxManager().createSystemSession(Username.of(user));
        MessageManager mailbox = store.mailboxManager().getMailbox(MailboxPath.forUser(Username.of(user), folder), session);
        List<String> ids = new ArrayList<>();
        mailbox.getMessages(MessageRange.all(), FetchGroup.MINIMAL, session)
            .forEachRemaining((MessageResult result) -> ids.add(result.getMessageId().serialize()));
        return ids;
    }

    /** What SMTP delivery does: an append through the mailbox manager, marked as a delivery. */
    private void deliver(String folder, String messageIdHeader, Flags flags) throws Exception {
        MailboxSession session = store.mailboxManager().createSystemSession(Username.of(user));
        MessageManager mailbox = store.mailboxManager().getMailbox(MailboxPath.forUser(Username.of(user), folder), session);
        mailbox.appendMessage(MessageManager.AppendCommand.builder().isDelivery(true).withFlags(flags)
            .build(message(messageIdHeader)), session);
    }

    private static String message(String messageIdHeader) {
        return "From: bob@example.org\r\nTo: alice@example.test" + "\r\nMessage-ID: " + messageIdHeader
            + "\r\nSubject: test " + messageIdHeader + "\r\n\r\nBody\r\n";
    }

    /** A line-level IMAP client over a loopback socket with LOGIN allowed in clear. */
    private static final class Client implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private int tag;

        Client(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(15_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            readLine();
        }

        /** Sends a command and asserts the tagged OK; returns every line. */
        List<String> ok(String command) throws IOException {
            String t = "t" + (++tag);
            send(t + " " + command + "\r\n");
            List<String> lines = readUntilTagged(t);
            assertThat(lines.get(lines.size() - 1)).as(command).startsWith(t + " OK");
            return lines;
        }

        /** APPENDs a message with the given Message-ID header using a LITERAL+ literal. */
        void append(String folder, String flags, String messageIdHeader) throws IOException {
            byte[] message = message(messageIdHeader).getBytes(StandardCharsets.UTF_8);
            String t = "t" + (++tag);
            send(t + " APPEND " + folder + (flags == null ? "" : " (" + flags + ")") + " {" + message.length + "+}\r\n");
            out.write(message);
            send("\r\n");
            List<String> lines = readUntilTagged(t);
            assertThat(lines.get(lines.size() - 1)).startsWith(t + " OK");
        }

        private void send(String raw) throws IOException {
            out.write(raw.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        private List<String> readUntilTagged(String t) throws IOException {
            List<String> lines = new ArrayList<>();
            String line;
            do {
                line = readLine();
                if (line == null) {
                    throw new IOException("connection closed after " + lines);
                }
                lines.add(line);
            } while (!line.startsWith(t + " "));
            return lines;
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    String s = line.toString(StandardCharsets.UTF_8);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                line.write(b);
            }
            return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            try {
                send("z LOGOUT\r\n");
            } catch (IOException ignored) {
                // already closed
            } finally {
                socket.close();
            }
        }
    }

}
