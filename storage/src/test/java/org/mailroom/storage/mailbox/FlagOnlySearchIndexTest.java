package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Set;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.store.FakeAuthenticator;
import org.apache.james.mailbox.store.FakeAuthorizator;
import org.apache.james.mailbox.store.extractor.DefaultTextExtractor;
import org.apache.james.mailbox.store.search.MessageSearchIndex;
import org.apache.james.mailbox.store.search.SimpleMessageSearchIndex;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.metrics.MicrometerMetricFactory;
import org.mailroom.storage.testing.TestDatabases;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;

/** Searches of flags and UIDs answered from membership rows give exactly what James's scanning index gives. */
class FlagOnlySearchIndexTest {
    private MailboxStore store;
    private MailboxSession session;
    private Mailbox mailbox;

    @BeforeEach
    void setUp() throws Exception {
        store = new MailboxStore(TestDatabases.derby(), new FakeAuthenticator(), FakeAuthorizator.defaultReject(),
            new MicrometerMetricFactory(new SimpleMeterRegistry()), Clock.systemUTC(), MailboxStore.Settings.defaults(),
            Set.of());
        session = store.mailboxManager().createSystemSession(Username.of("alice@example.org"));
        MailboxPath path = MailboxPath.inbox(session);
        store.mailboxManager().createMailbox(path, session);
        MessageManager inbox = store.mailboxManager().getMailbox(path, session);
        mailbox = inbox.getMailboxEntity();
        Flags seenFlagged = new Flags(Flags.Flag.SEEN);
        seenFlagged.add(Flags.Flag.FLAGGED);
        Flags keyword = new Flags("$Important");
        keyword.add(Flags.Flag.DELETED);
        List<Flags> flags = List.of(new Flags(), new Flags(Flags.Flag.SEEN), seenFlagged, keyword, new Flags(Flags.Flag.ANSWERED),
            new Flags(Flags.Flag.DRAFT));
        for (int i = 0; i < flags.size(); i++) {
            byte[] bytes = ("Subject: message " + i + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII);
            inbox.appendMessage(MessageManager.AppendCommand.builder().withFlags(flags.get(i)).recent().build(bytes), session);
        }
    }

    @Test
    void flagAndUidSearchesMatchJamesScanningIndex() throws Exception {
        // James's scanning index, with the store's fix for UID criteria under NOT/OR: the reference answers.
        MessageSearchIndex scanning = new UidRangeSafeSearchIndex(new SimpleMessageSearchIndex(store.mapperFactory(),
            store.mapperFactory(), new DefaultTextExtractor(), null));
        FlagOnlySearchIndex shortcut = new FlagOnlySearchIndex(scanning, store.mapperFactory());
        SearchQuery.UidRange twoToFour = new SearchQuery.UidRange(MessageUid.of(2), MessageUid.of(4));
        List<SearchQuery> queries = List.of(
            SearchQuery.of(SearchQuery.all()),
            SearchQuery.of(SearchQuery.flagIsUnSet(Flags.Flag.SEEN)),
            SearchQuery.of(SearchQuery.flagIsSet(Flags.Flag.FLAGGED)),
            SearchQuery.of(SearchQuery.flagIsSet(Flags.Flag.DELETED)),
            SearchQuery.of(SearchQuery.flagIsSet("$Important")),
            SearchQuery.of(SearchQuery.flagIsUnSet("$Important")),
            SearchQuery.of(SearchQuery.flagIsSet("$important")),
            SearchQuery.of(SearchQuery.flagIsSet("$Import")),
            SearchQuery.of(SearchQuery.uid(new SearchQuery.UidRange[] {twoToFour}), SearchQuery.flagIsSet(Flags.Flag.SEEN)),
            SearchQuery.of(SearchQuery.not(SearchQuery.uid(new SearchQuery.UidRange[] {twoToFour}))),
            SearchQuery.of(SearchQuery.or(SearchQuery.flagIsSet(Flags.Flag.ANSWERED), SearchQuery.flagIsSet(Flags.Flag.DRAFT))),
            SearchQuery.builder().andCriteria(SearchQuery.flagIsSet(Flags.Flag.RECENT))
                .addRecentMessageUids(List.of(MessageUid.of(1), MessageUid.of(5))).build(),
            SearchQuery.builder().andCriteria(SearchQuery.flagIsUnSet(Flags.Flag.RECENT))
                .addRecentMessageUids(List.of(MessageUid.of(1), MessageUid.of(5))).build());

        for (SearchQuery query : queries) {
            assertThat(FlagOnlySearchIndex.answerable(query)).as(query.toString()).isTrue();
            assertThat(uids(shortcut.search(session, mailbox, query))).as(query.toString())
                .isEqualTo(uids(scanning.search(session, mailbox, query)));
        }
        assertThat(uids(shortcut.search(session, mailbox, queries.get(1)))).containsExactly(1L, 4L, 5L, 6L);
        assertThat(uids(shortcut.search(session, mailbox, queries.get(9)))).containsExactly(1L, 5L, 6L);
        assertThat(uids(shortcut.search(session, mailbox, queries.get(11)))).containsExactly(1L, 5L);
    }

    @Test
    void aSearchAfterAnotherSessionsStoreSeesItsFlags() throws Exception {
        FlagOnlySearchIndex shortcut = new FlagOnlySearchIndex(null, store.mapperFactory());
        SearchQuery flagged = SearchQuery.of(SearchQuery.flagIsSet(Flags.Flag.FLAGGED));
        SearchQuery keyword = SearchQuery.of(SearchQuery.flagIsSet("$Label1"));
        assertThat(uids(shortcut.search(session, mailbox, flagged))).containsExactly(3L);
        assertThat(uids(shortcut.search(session, mailbox, keyword))).isEmpty();

        // another session of the same user changes flags: the snapshot the first searches used is now out of date
        MailboxSession other = store.mailboxManager().createSystemSession(session.getUser());
        MessageManager inbox = store.mailboxManager().getMailbox(mailbox.getMailboxId(), other);
        Flags flaggedAndKeyword = new Flags(Flags.Flag.FLAGGED);
        flaggedAndKeyword.add("$Label1");
        inbox.setFlags(flaggedAndKeyword, MessageManager.FlagsUpdateMode.ADD,
            org.apache.james.mailbox.model.MessageRange.one(MessageUid.of(5)), other);
        inbox.setFlags(new Flags(Flags.Flag.FLAGGED), MessageManager.FlagsUpdateMode.REMOVE,
            org.apache.james.mailbox.model.MessageRange.one(MessageUid.of(3)), other);

        assertThat(uids(shortcut.search(session, mailbox, flagged))).containsExactly(5L);
        assertThat(uids(shortcut.search(session, mailbox, keyword))).containsExactly(5L);
    }

    @Test
    void keywordsMatchWholeAndWhateverTheirCase() {
        assertThat(FlagOnlySearchIndex.hasKeyword("$Important $Junk", "$junk")).isTrue();
        assertThat(FlagOnlySearchIndex.hasKeyword("$Important $Junk", "$IMPORTANT")).isTrue();
        assertThat(FlagOnlySearchIndex.hasKeyword("$Important $Junk", "$Jun")).isFalse();
        assertThat(FlagOnlySearchIndex.hasKeyword("$Important $Junk", "Important")).isFalse();
        assertThat(FlagOnlySearchIndex.hasKeyword(null, "$Junk")).isFalse();
    }

    @Test
    void searchesOfContentOrOtherOrdersAreLeftToJames() {
        assertThat(FlagOnlySearchIndex.answerable(SearchQuery.of(SearchQuery.headerContains("Subject", "message 3"))))
            .isFalse();
        assertThat(FlagOnlySearchIndex.answerable(SearchQuery.of(SearchQuery.not(SearchQuery.bodyContains("body")))))
            .isFalse();
        assertThat(FlagOnlySearchIndex.answerable(SearchQuery.builder().andCriteria(SearchQuery.all())
            .sorts(new SearchQuery.Sort(SearchQuery.Sort.SortClause.Arrival, SearchQuery.Sort.Order.REVERSE)).build()))
            .isFalse();
    }

    @Test
    void theStoreAnswersContentSearchesThroughJames() throws Exception {
        MessageManager inbox = store.mailboxManager().getMailbox(mailbox.getMailboxId(), session);
        List<MessageUid> found = Flux.from(inbox.search(SearchQuery.of(SearchQuery.headerContains("Subject", "message 3")),
            session)).collectList().block();
        assertThat(found).containsExactly(MessageUid.of(4));
    }

    private static List<Long> uids(Flux<MessageUid> uids) {
        return uids.map(MessageUid::asLong).collectList().block();
    }
}
