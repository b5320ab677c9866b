package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.james.core.Username;
import org.apache.james.events.Event;
import org.apache.james.events.EventListener;
import org.apache.james.imap.api.ImapConfiguration;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.decode.main.ImapRequestStreamHandler;
import org.apache.james.imap.encode.FakeImapSession;
import org.apache.james.imap.encode.main.DefaultImapEncoderFactory;
import org.apache.james.imap.main.DefaultImapDecoderFactory;
import org.apache.james.imap.processor.base.SelectedMailboxImpl;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.events.MailboxEvents;
import org.apache.james.mailbox.events.MailboxIdRegistrationKey;
import org.apache.james.mailbox.model.MailboxPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import reactor.core.publisher.Mono;

/**
 * The selected mailbox's listener that applies events where they are delivered ({@link SelectedMailboxListener}),
 * through Mailroom's processor chain on a real Derby store: another session's STORE, APPEND and EXPUNGE still reach
 * the watching session's next command, an event is applied on the delivering thread (James's own listener moves it
 * to {@code boundedElastic}), and during IDLE the event takes James's own way.
 */
class SelectedMailboxListenerTest {
    @TempDir
    static Path directory;

    private static ImapTestServers fixture;
    private static ImapRequestStreamHandler chain;

    @BeforeAll
    static void start() throws Exception {
        fixture = new ImapTestServers(directory);
        ImapProcessor processor = MailroomProcessors.create(fixture.store.mailboxManager(), fixture.store.eventBus(),
            fixture.store.subscriptionManager(), fixture.store.quotaManager(), fixture.store.quotaRootResolver(),
            fixture.metrics, DefaultFolders.inboxOnly(FolderNames.defaults()),
            new LoginThrottle(LoginThrottle.Policy.disabled(), Clock.systemUTC()), ImapObserver.NONE);
        processor.configure(ImapConfiguration.builder().build());
        chain = new ImapRequestStreamHandler(DefaultImapDecoderFactory.createDecoder(), processor,
            new MailroomImapEncoder(new DefaultImapEncoderFactory().buildImapEncoder()));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void thisJamesVersionHasWhatTheListenerNeeds() {
        assertThat(SelectedMailboxListener.available()).isTrue();
    }

    @Test
    void anotherSessionsChangesReachTheWatchingSession() throws Exception {
        String box = mailboxOf(3, "watched");
        FakeImapSession watcher = selected(box);
        FakeImapSession other = selected(box);

        assertThat(run(other, "STORE 2 +FLAGS (\\Flagged $Label1)")).contains("a OK");
        assertThat(run(watcher, "NOOP")).contains("* 2 FETCH (FLAGS (\\Flagged \\Recent $Label1))").contains("a OK");

        append(box, "a fourth");
        assertThat(run(watcher, "NOOP")).contains("* 4 EXISTS");

        assertThat(run(other, "STORE 1 +FLAGS.SILENT (\\Deleted)")).contains("a OK");
        assertThat(run(other, "EXPUNGE")).contains("* 1 EXPUNGE");
        assertThat(run(watcher, "NOOP")).contains("* 1 EXPUNGE");
        assertThat(run(watcher, "FETCH 1:* (UID)")).contains("* 3 FETCH (UID 4)").doesNotContain("* 4 FETCH");
    }

    @Test
    void anEventIsAppliedOnTheDeliveringThreadUnlessTheSessionIdles() throws Exception {
        String box = mailboxOf(2, "threads");
        FakeImapSession watcher = selected(box);
        FakeImapSession other = selected(box);
        SelectedMailboxImpl selected = (SelectedMailboxImpl) watcher.getSelected();
        List<Event> delivered = new CopyOnWriteArrayList<>();
        EventListener.ReactiveEventListener recorder = event -> Mono.fromRunnable(() -> delivered.add(event));
        Mono.from(fixture.store.eventBus().register(recorder, new MailboxIdRegistrationKey(selected.getMailboxId())))
            .block();
        run(other, "STORE 1 +FLAGS (\\Answered)");
        run(watcher, "NOOP");
        Event flagged = delivered.stream().filter(MailboxEvents.FlagsUpdated.class::isInstance).findFirst().orElseThrow();
        EventListener.ReactiveEventListener listener = SelectedMailboxListener.wrap(selected);
        assertThat(listener).isInstanceOf(SelectedMailboxListener.class);

        // delivered again: applied on this thread, and seen by the watcher's next command
        assertThat(completionThread(listener, flagged)).isSameAs(Thread.currentThread());
        assertThat(run(watcher, "NOOP")).contains("* 1 FETCH (FLAGS (\\Answered \\Recent))");
        // what James's own listener does with it: the hand-off this class saves
        assertThat(completionThread(selected, flagged).getName()).startsWith("boundedElastic");
        run(watcher, "NOOP");

        // in IDLE, James's listener (and IDLE's own, which writes the responses) take it
        List<Event> idled = new CopyOnWriteArrayList<>();
        selected.registerIdle(event -> Mono.fromRunnable(() -> idled.add(event)));
        try {
            assertThat(completionThread(listener, flagged).getName()).startsWith("boundedElastic");
            assertThat(idled).containsExactly(flagged);
        } finally {
            selected.unregisterIdle();
        }
        assertThat(run(watcher, "NOOP")).contains("* 1 FETCH (FLAGS (\\Answered \\Recent))");
    }

    private static Thread completionThread(EventListener.ReactiveEventListener listener, Event event) {
        AtomicReference<Thread> thread = new AtomicReference<>();
        Mono.from(listener.reactiveEvent(event)).doOnSuccess(done -> thread.set(Thread.currentThread())).block();
        return thread.get();
    }

    private static String mailboxOf(int messages, String name) throws Exception {
        MailboxSession owner = owner();
        fixture.store.mailboxManager().createMailbox(MailboxPath.forUser(owner.getUser(), name), owner);
        for (int i = 1; i <= messages; i++) {
            append(name, "number " + i);
        }
        return name;
    }

    private static void append(String box, String subject) throws Exception {
        MailboxSession owner = owner();
        String message = "From: a@example.test\r\nSubject: " + subject + "\r\n\r\nbody\r\n";
        fixture.store.mailboxManager().getMailbox(MailboxPath.forUser(owner.getUser(), box), owner)
            .appendMessage(MessageManager.AppendCommand.builder().build(message.getBytes(StandardCharsets.US_ASCII)), owner);
    }

    private static MailboxSession owner() {
        return fixture.store.mailboxManager().createSystemSession(Username.of(ImapTestServers.USER));
    }

    private static FakeImapSession selected(String box) {
        FakeImapSession session = new FakeImapSession();
        session.setMailboxSession(owner());
        session.authenticated();
        assertThat(run(session, "SELECT " + box)).contains("a OK");
        return session;
    }

    private static String run(FakeImapSession session, String command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chain.handleRequest(new ByteArrayInputStream(("a " + command + "\r\n").getBytes(StandardCharsets.US_ASCII)),
            out, session);
        return out.toString(StandardCharsets.US_ASCII);
    }
}
