package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import org.apache.james.core.Username;
import org.apache.james.imap.api.ImapConfiguration;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.decode.main.ImapRequestStreamHandler;
import org.apache.james.imap.encode.FakeImapSession;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imap.encode.main.DefaultImapEncoderFactory;
import org.apache.james.imap.main.DefaultImapDecoderFactory;
import org.apache.james.imap.message.request.FetchRequest;
import org.apache.james.imap.processor.DefaultProcessor;
import org.apache.james.imap.processor.base.UnknownRequestProcessor;
import org.apache.james.imap.processor.fetch.FetchProcessor;
import org.apache.james.mailbox.MailboxManager;

/**
 * Mailroom's processor chain and James's own {@code FetchProcessor} over one store, for the tests that hold Mailroom's
 * FETCH paths to James's answers byte for byte ({@code MetadataFetchTest}, {@code ParsedItemsFetchTest}).
 */
final class FetchAgainstJames implements AutoCloseable {
    final ImapTestServers fixture;
    final MailboxManager mailboxManager;
    /** Mailroom's whole chain, as its listeners run it. */
    final ImapProcessor mailroomChain;
    /** James's FETCH alone (CONDSTORE on, as Mailroom's sessions have it). */
    final ImapProcessor jamesFetch;
    final ImapEncoder jamesEncoder = new DefaultImapEncoderFactory().buildImapEncoder();

    FetchAgainstJames(Path directory) throws Exception {
        fixture = new ImapTestServers(directory);
        mailboxManager = fixture.store.mailboxManager();
        mailroomChain = MailroomProcessors.create(mailboxManager, fixture.store.eventBus(),
            fixture.store.subscriptionManager(), fixture.store.quotaManager(), fixture.store.quotaRootResolver(),
            fixture.metrics, DefaultFolders.inboxOnly(FolderNames.defaults()),
            new LoginThrottle(LoginThrottle.Policy.disabled(), Clock.systemUTC()), ImapObserver.NONE);
        mailroomChain.configure(ImapConfiguration.builder().build());
        MailroomStatusResponseFactory responses = new MailroomStatusResponseFactory();
        jamesFetch = new DefaultProcessor(
            Map.of(FetchRequest.class, new FetchProcessor(mailboxManager, responses, fixture.metrics)),
            new UnknownRequestProcessor(responses));
        jamesFetch.configure(ImapConfiguration.builder().isCondstoreEnable(true).build());
    }

    static ImapRequestStreamHandler handler(ImapProcessor processor, ImapEncoder encoder) {
        return new ImapRequestStreamHandler(DefaultImapDecoderFactory.createDecoder(), processor, encoder);
    }

    /** An authenticated session of the test user. */
    FakeImapSession session() {
        FakeImapSession session = new FakeImapSession();
        session.setMailboxSession(mailboxManager.createSystemSession(Username.of(ImapTestServers.USER)));
        session.authenticated();
        return session;
    }

    /** A session that ran {@code select} (SELECT or EXAMINE) through {@code handler}. */
    FakeImapSession selected(ImapRequestStreamHandler handler, String select) {
        FakeImapSession session = session();
        assertThat(run(handler, session, select)).contains("a OK");
        return session;
    }

    /**
     * Mailroom's answer, after checking that James's is the same (a NOOP before each: no pending updates either way).
     */
    static String assertSameAnswer(ImapRequestStreamHandler mailroom, ImapRequestStreamHandler james,
                                   FakeImapSession session, String command) {
        run(mailroom, session, "NOOP");
        String fromMailroom = run(mailroom, session, command);
        run(mailroom, session, "NOOP");
        String fromJames = run(james, session, command);
        assertThat(fromMailroom).as(command).isEqualTo(fromJames);
        return fromMailroom;
    }

    /** The bytes of the answer as ISO-8859-1 text, so that 8-bit bytes are compared as they are. */
    static String run(ImapRequestStreamHandler handler, FakeImapSession session, String command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(("a " + command + "\r\n").getBytes(StandardCharsets.US_ASCII)),
            out, session);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        fixture.close();
    }
}
