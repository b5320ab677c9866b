package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
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
import org.apache.james.mailbox.store.extractor.DefaultTextExtractor;
import org.apache.james.mailbox.store.search.MessageSearchIndex;
import org.apache.james.mailbox.store.search.SimpleMessageSearchIndex;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.testing.TestDatabases;

import reactor.core.publisher.Flux;

/** Searches of header texts with the byte prefilter give exactly what James's scanning index gives. */
class HeaderPrefilterSearchIndexTest {
    /** Headers where the text a client searches for is not plainly in the bytes, or is there but not in the field. */
    private static final List<String> HEADERS = List.of(
        "Subject: plain group g7\r\nX-Bench-Group: g7\r\n",
        "Subject: other\r\nX-Bench-Group: g3\r\nX-Note: g7 elsewhere\r\n",
        "Subject: folded\r\nX-Bench-Group: first\r\n g7 second\r\n",
        "Subject: =?UTF-8?B?Z3JvdXAgZzc=?=\r\nX-Bench-Group: g1\r\n",            // "group g7", encoded
        "Subject: =?UTF-8?Q?g=37?=\r\nX-Bench-Group: g2\r\n",                      // "g7", Q-encoded
        "Subject: Stra\u00dfe\r\nX-Bench-Group: G7\r\n",                            // 8-bit: "ß" upper-cases to "SS"
        "Subject: lower case\r\nx-bench-group: g7\r\n",
        "Subject: no group at all\r\n",
        "Subject: two fields\r\nX-Bench-Group: g1\r\nX-Bench-Group: g7\r\n",    // several of one name
        "Subject: tab fold\r\nX-Bench-Group: first\r\n\tg7\r\n",
        "Subject: spaces\r\nX-Bench-Group:   g7 \r\nX-Other:g7\r\n",
        "Subject: =?UTF-8?B?Z3JvdXAgZzc=?=\r\nX-Bench-Group: g7\r\n",           // encoded, but not the searched field
        "Subject: coded group\r\nX-Bench-Group: =?UTF-8?Q?g7?=\r\n",           // the searched field encoded
        "Subject: space before colon\r\nX-Bench-Group : g7\r\n",
        "Subject: malformed line\r\nX-Bench-Group: g7\r\nnot a field\r\n",
        "Subject: bare line feeds\nX-Bench-Group: g7\nX-Fold: a\n b\n",
        "Subject: g\r\n 7 fold inside the text\r\nX-Bench-Group: g\r\n 7\r\n");

    private MailboxStore store;
    private MailboxSession session;
    private Mailbox mailbox;

    @BeforeEach
    void setUp() throws Exception {
        store = SingleUserStores.store(TestDatabases.derby());
        session = store.mailboxManager().createSystemSession(Username.of("alice@example.org"));
        MailboxPath path = MailboxPath.inbox(session);
        store.mailboxManager().createMailbox(path, session);
        MessageManager inbox = store.mailboxManager().getMailbox(path, session);
        mailbox = inbox.getMailboxEntity();
        for (int i = 0; i < HEADERS.size(); i++) {
            byte[] bytes = (HEADERS.get(i) + "\r\nbody with g7 and strasse\r\n").getBytes(StandardCharsets.ISO_8859_1);
            Flags flags = i % 2 == 0 ? new Flags(Flags.Flag.SEEN) : new Flags();
            inbox.appendMessage(MessageManager.AppendCommand.builder().withFlags(flags).build(bytes), session);
        }
    }

    @Test
    void headerSearchesMatchJamesScanningIndex() throws Exception {
        MessageSearchIndex scanning = new SimpleMessageSearchIndex(store.mapperFactory(), store.mapperFactory(),
            new DefaultTextExtractor(), null);
        HeaderPrefilterSearchIndex prefiltered = new HeaderPrefilterSearchIndex(
            uidsOnlyFromJames(), store.mapperFactory(), new DefaultTextExtractor(), null);
        List<SearchQuery> queries = List.of(
            SearchQuery.of(SearchQuery.headerContains("X-Bench-Group", "g7")),
            SearchQuery.of(SearchQuery.headerContains("x-bench-group", "G7")),
            SearchQuery.of(SearchQuery.headerContains("X-Bench-Group", "first g7")),
            SearchQuery.of(SearchQuery.headerContains("Subject", "group g7")),
            SearchQuery.of(SearchQuery.headerContains("Subject", "g7")),
            SearchQuery.of(SearchQuery.headerContains("Subject", "STRASSE")),
            SearchQuery.of(SearchQuery.subject("g7")),
            SearchQuery.of(SearchQuery.headerContains("X-Bench-Group", "g7"), SearchQuery.flagIsSet(Flags.Flag.SEEN)),
            SearchQuery.of(SearchQuery.and(SearchQuery.headerContains("Subject", "o"),
                SearchQuery.headerContains("X-Bench-Group", "g"))),
            SearchQuery.of(SearchQuery.headerContains("X-Bench-Group", "g7"), SearchQuery.bodyContains("strasse")),
            SearchQuery.of(SearchQuery.headerContains("X-Bench-Group", "g 7")),
            SearchQuery.of(SearchQuery.headerContains("X-Bench-Group", " g7")),
            SearchQuery.of(SearchQuery.headerContains("X-Bench-Group", "g7 ")),
            SearchQuery.of(SearchQuery.headerContains("X-Bench-Group", "  g7")),
            SearchQuery.of(SearchQuery.headerContains("X-Other", "g7")),
            SearchQuery.of(SearchQuery.headerContains("X-Fold", "a b")),
            SearchQuery.of(SearchQuery.headerContains("X-Bench-Group", "G7"), SearchQuery.subject("group")),
            SearchQuery.of(SearchQuery.headerContains("X-Bench-Group", "g7"), SearchQuery.headerContains("Subject", "fold")),
            SearchQuery.of(SearchQuery.headerContains("X-Bench-Group", "1"), SearchQuery.headerContains("X-Bench-Group", "7")),
            SearchQuery.of(SearchQuery.all(), SearchQuery.headerContains("X-Bench-Group", "g7")));
        for (SearchQuery query : queries) {
            assertThat(HeaderTextPrefilter.of(query)).as(query.toString()).isPresent();
            assertThat(uids(prefiltered.search(session, mailbox, query))).as(query.toString())
                .isEqualTo(uids(scanning.search(session, mailbox, query)));
        }
        assertThat(uids(prefiltered.search(session, mailbox, queries.get(0))))
            .containsExactly(1L, 3L, 6L, 7L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
        assertThat(uids(prefiltered.search(session, mailbox, queries.get(3)))).containsExactly(1L, 4L, 12L);
        assertThat(uids(prefiltered.search(session, mailbox, queries.get(4)))).containsExactly(1L, 4L, 5L, 12L);
        assertThat(uids(prefiltered.search(session, mailbox, queries.get(5)))).containsExactly(6L);
        assertThat(uids(prefiltered.search(session, mailbox, queries.get(queries.size() - 1))))
            .as("ALL beside the header criterion, as Jakarta Mail sends a folder's search")
            .containsExactly(1L, 3L, 6L, 7L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
    }

    @Test
    void plainFieldsAreAnsweredFromTheBytesAndOnlyUnusualOnesLeftToJames() {
        HeaderFieldMatcher group = HeaderFieldMatcher.of(SearchQuery.of(SearchQuery.headerContains("x-bench-group", "G7")))
            .orElseThrow();
        assertThat(group.decide(bytes("From: a@example.org\r\nX-Bench-Group: g7\r\n\r\n")))
            .isEqualTo(HeaderFieldMatcher.Decision.MATCH);
        assertThat(group.decide(bytes("X-Bench-Group: g3\r\nX-Note: g7\r\n\r\nX-Bench-Group: g7\r\n")))
            .as("a field after the header's end").isEqualTo(HeaderFieldMatcher.Decision.NO_MATCH);
        assertThat(group.decide(bytes("X-Bench-Group: g1\r\nX-BENCH-GROUP: first\r\n  g7\r\n")))
            .isEqualTo(HeaderFieldMatcher.Decision.MATCH);
        assertThat(group.decide(bytes("Subject: =?UTF-8?Q?g7?= Stra\u00dfe\r\nX-Bench-Group: g1\r\n")))
            .as("encoded and 8-bit text in another field").isEqualTo(HeaderFieldMatcher.Decision.NO_MATCH);
        assertThat(group.decide(bytes("X-Bench-Group: =?UTF-8?Q?g=37?=\r\n")))
            .isEqualTo(HeaderFieldMatcher.Decision.UNDECIDED);
        assertThat(group.decide(bytes("X-Bench-Group: =?UTF-8?Q?g=37?=\r\nX-Bench-Group: g7\r\n")))
            .as("a plain field of the name matches whatever the other").isEqualTo(HeaderFieldMatcher.Decision.MATCH);
        assertThat(group.decide(bytes("X-Bench-Group: Stra\u00dfe\r\n"))).isEqualTo(HeaderFieldMatcher.Decision.UNDECIDED);
        assertThat(group.decide(bytes(" g7\r\nX-Bench-Group: g1\r\n"))).isEqualTo(HeaderFieldMatcher.Decision.UNDECIDED);
        assertThat(group.decide(bytes("X-Bench-Group: g1\r\nno colon\r\n"))).isEqualTo(HeaderFieldMatcher.Decision.UNDECIDED);
        assertThat(group.decide(bytes("X-Bench-Group: g1\r\n \r\nX: y\r\n"))).isEqualTo(HeaderFieldMatcher.Decision.UNDECIDED);
        assertThat(group.decide(bytes("X-Bench-Group: g\r7\r\n"))).isEqualTo(HeaderFieldMatcher.Decision.UNDECIDED);

        HeaderFieldMatcher both = HeaderFieldMatcher.of(SearchQuery.of(SearchQuery.subject("bench"),
            SearchQuery.headerContains("X-Bench-Group", "g7"))).orElseThrow();
        assertThat(both.decide(bytes("Subject: =?UTF-8?Q?bench?=\r\nX-Bench-Group: g1\r\n")))
            .as("one criterion certainly false").isEqualTo(HeaderFieldMatcher.Decision.NO_MATCH);
        assertThat(both.decide(bytes("Subject: =?UTF-8?Q?bench?=\r\nX-Bench-Group: g7\r\n")))
            .isEqualTo(HeaderFieldMatcher.Decision.UNDECIDED);

        assertThat(HeaderFieldMatcher.of(SearchQuery.of(SearchQuery.headerContains("X-Bench-Group", " g7")))).isEmpty();
        assertThat(HeaderFieldMatcher.of(SearchQuery.of(SearchQuery.headerContains("\u212A", "g7")))).isEmpty();
        assertThat(HeaderFieldMatcher.of(SearchQuery.of(SearchQuery.headerContains("X-Bench-Group", "g7"),
            SearchQuery.flagIsSet(Flags.Flag.SEEN)))).isEmpty();
        assertThat(HeaderFieldMatcher.of(SearchQuery.of(SearchQuery.headerExists("X-Bench-Group")))).isEmpty();
        assertThat(HeaderFieldMatcher.of(SearchQuery.of(SearchQuery.all(), SearchQuery.headerContains("X-Bench-Group", "g7"))))
            .as("ALL restricts nothing").isPresent();
        assertThat(HeaderFieldMatcher.of(SearchQuery.of(SearchQuery.all()))).as("no header text to match").isEmpty();
    }

    private static byte[] bytes(String header) {
        return header.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void queriesWithoutARequiredPlainTextAreLeftToJames() {
        assertThat(HeaderTextPrefilter.of(SearchQuery.of(SearchQuery.headerContains("Subject", "")))).isEmpty();
        assertThat(HeaderTextPrefilter.of(SearchQuery.of(SearchQuery.headerContains("Subject", "Stra\u00dfe")))).isEmpty();
        assertThat(HeaderTextPrefilter.of(SearchQuery.of(SearchQuery.headerExists("Subject")))).isEmpty();
        assertThat(HeaderTextPrefilter.of(SearchQuery.of(SearchQuery.address(SearchQuery.AddressType.From, "bob"))))
            .isEmpty();
        assertThat(HeaderTextPrefilter.of(SearchQuery.of(SearchQuery.or(SearchQuery.headerContains("Subject", "a"),
            SearchQuery.headerContains("Subject", "b"))))).isEmpty();
        assertThat(HeaderTextPrefilter.of(SearchQuery.of(SearchQuery.not(SearchQuery.headerContains("Subject", "a")))))
            .isEmpty();
    }

    @Test
    void theStoreAnswersHeaderSearchesThroughThePrefilter() throws Exception {
        MessageManager inbox = store.mailboxManager().getMailbox(mailbox.getMailboxId(), session);
        List<MessageUid> found = Flux.from(inbox.search(SearchQuery.of(SearchQuery.headerContains("X-Bench-Group", "g7")),
            session)).collectList().block();
        assertThat(found).extracting(MessageUid::asLong).containsExactly(1L, 3L, 6L, 7L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
    }

    /** A delegate that would give a wrong answer, so a query that reached it instead of the prefilter shows. */
    private static MessageSearchIndex uidsOnlyFromJames() {
        return new MessageSearchIndex() {
            @Override
            public Flux<MessageUid> search(MailboxSession session, Mailbox mailbox, SearchQuery searchQuery) {
                return Flux.just(MessageUid.of(999));
            }

            @Override
            public Flux<org.apache.james.mailbox.model.MessageId> search(MailboxSession session,
                    java.util.Collection<org.apache.james.mailbox.model.MailboxId> mailboxIds, SearchQuery searchQuery, long limit) {
                return Flux.empty();
            }

            @Override
            public java.util.EnumSet<org.apache.james.mailbox.MailboxManager.SearchCapabilities> getSupportedCapabilities(
                    java.util.EnumSet<org.apache.james.mailbox.MailboxManager.MessageCapabilities> messageCapabilities) {
                return java.util.EnumSet.noneOf(org.apache.james.mailbox.MailboxManager.SearchCapabilities.class);
            }
        };
    }

    private static List<Long> uids(Flux<MessageUid> uids) {
        return uids.map(MessageUid::asLong).collectList().block();
    }
}
