package org.mailroom.storage.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.store.extractor.DefaultTextExtractor;
import org.apache.james.mailbox.store.search.MessageSearchIndex;
import org.apache.james.mailbox.store.search.SimpleMessageSearchIndex;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailroom.storage.testing.TestDatabases;


/**
 * Header searches answered with cached header bytes stay James's answer while other sessions append, deliver and
 * expunge between and during them, read from the database only the headers not seen before, and keep within their
 * memory bound.
 */
class HeaderBytesCacheTest {
    private static final List<SearchQuery> QUERIES = List.of(
        SearchQuery.of(SearchQuery.subject("load")),
        SearchQuery.of(SearchQuery.subject("gr\u00fc\u00dfe")),
        SearchQuery.of(SearchQuery.headerContains("X-Bench-Group", "g7")),
        SearchQuery.of(SearchQuery.headerContains("Subject", "load"), SearchQuery.headerContains("X-Bench-Group", "g")),
        SearchQuery.of(SearchQuery.headerContains("X-Missing", "x")),
        SearchQuery.of(SearchQuery.subject("stra\u00dfe")), // "SS" after upper-casing, as plain ASCII fields hold it
        SearchQuery.of(SearchQuery.subject("\u00fc\u00dfe LOAD")));

    private MailboxStore store;
    private MailboxSession session;
    private MailboxSession otherSession;
    private MailboxPath path;
    private Mailbox mailbox;
    private MessageSearchIndex scanning;

    @BeforeEach
    void setUp() throws Exception {
        store = SingleUserStores.store(TestDatabases.derby());
        session = store.mailboxManager().createSystemSession(Username.of("alice@example.org"));
        otherSession = store.mailboxManager().createSystemSession(Username.of("alice@example.org"));
        path = MailboxPath.inbox(session);
        store.mailboxManager().createMailbox(path, session);
        mailbox = store.mailboxManager().getMailbox(path, session).getMailboxEntity();
        scanning = new SimpleMessageSearchIndex(store.mapperFactory(), store.mapperFactory(), new DefaultTextExtractor(), null);
        for (int i = 0; i < 12; i++) {
            append(session, i);
        }
    }

    /** Plain, folded, encoded-word, 8-bit and missing fields, by turn. */
    private static String header(int i) {
        return switch (i % 6) {
            case 0 -> "Subject: load " + i + "\r\nX-Bench-Group: g" + (i % 10) + "\r\n";
            case 1 -> "Subject: folded\r\n load " + i + "\r\nX-Bench-Group: g7\r\n";
            case 2 -> "Subject: =?UTF-8?Q?gr=C3=BC=C3=9Fe_load?=\r\nX-Bench-Group: g7\r\n";
            case 3 -> "Subject: Gr\u00fc\u00dfe LOAD\r\n";
            case 4 -> "X-Bench-Group: g17\r\nSubject: STRASSE\r\n";
            default -> "Subject: =?ISO-8859-1?B?bG9hZA==?=\r\nX-Bench-Group: =?UTF-8?Q?g7?=\r\n";
        };
    }

    private void append(MailboxSession who, int i) throws Exception {
        byte[] bytes = (header(i) + "\r\nbody load g7\r\n").getBytes(StandardCharsets.ISO_8859_1);
        store.mailboxManager().getMailbox(path, who)
            .appendMessage(MessageManager.AppendCommand.builder().withFlags(new Flags()).build(bytes), who);
    }

    private HeaderPrefilterSearchIndex cached(HeaderBytesCache cache) {
        return new HeaderPrefilterSearchIndex(scanning, store.mapperFactory(), new DefaultTextExtractor(), null, cache);
    }

    private void assertSameAsJames(MessageSearchIndex index) throws Exception {
        for (SearchQuery query : QUERIES) {
            assertThat(uids(index, query)).as(query.toString()).isEqualTo(uids(scanning, query));
        }
    }

    private List<Long> uids(MessageSearchIndex index, SearchQuery query) throws Exception {
        return index.search(session, mailbox, query).map(MessageUid::asLong).collectList().block();
    }

    @Test
    void deliveriesAndExpungesOfOtherSessionsBetweenSearchesAreSeen() throws Exception {
        HeaderPrefilterSearchIndex index = cached(new HeaderBytesCache(HeaderBytesCache.DEFAULT_MAX_BYTES));
        assertSameAsJames(index);
        List<Long> before = uids(index, QUERIES.get(0));

        append(otherSession, 12); // delivered by another session: "load 12"
        append(otherSession, 13);
        assertSameAsJames(index);
        assertThat(uids(index, QUERIES.get(0))).containsAll(before).contains(13L);

        MessageManager other = store.mailboxManager().getMailbox(path, otherSession);
        other.setFlags(new Flags(Flags.Flag.DELETED), MessageManager.FlagsUpdateMode.ADD, MessageRange.one(MessageUid.of(1)),
            otherSession);
        other.expunge(MessageRange.one(MessageUid.of(1)), otherSession);
        assertSameAsJames(index);
        assertThat(uids(index, QUERIES.get(0))).doesNotContain(1L).contains(13L);
    }

    @Test
    void aSearchReadsOnlyTheHeadersItHasNotSeen() {
        MailboxHeaderBytes headers = new MailboxHeaderBytes();
        List<long[]> reads = new ArrayList<>();
        MailboxHeaderBytes.HeaderReader reader = (from, to, visitor) -> {
            reads.add(new long[] {from, to});
            for (long uid = from; uid <= to; uid++) {
                visitor.visit(uid, subject(uid));
            }
        };
        assertThat(texts(headers.fill(new long[] {1, 2, 3}, reader))).containsExactly("1", "2", "3");
        assertThat(texts(headers.fill(new long[] {1, 2, 3}, reader))).as("nothing new").containsExactly("1", "2", "3");
        long weightOfThree = headers.weight();
        assertThat(texts(headers.fill(new long[] {1, 3, 7}, reader))).containsExactly("1", "3", "7");
        assertThat(reads).containsExactly(new long[] {1, 3}, new long[] {7, 7});
        assertThat(headers.weight()).as("2 dropped, 7 added").isEqualTo(weightOfThree);
        assertThat(texts(headers.fill(new long[] {1, 3}, reader))).containsExactly("1", "3");
        assertThat(reads).as("2 dropped, not read again for a list without it").hasSize(2);
        // a UID in the list whose row is gone by the read (expunged in between) stays uncached, left out of answers
        assertThat(texts(headers.fill(new long[] {1, 3, 9}, (from, to, visitor) -> { }))).containsExactly("1", "3", null);
        assertThat(texts(headers.fill(new long[] {1, 3, 9}, reader))).as("read again next time").containsExactly("1", "3", "9");
    }

    @Test
    void anotherSearchWithAnOlderListCannotTakeHeadersFromAnAnswer() {
        MailboxHeaderBytes headers = new MailboxHeaderBytes();
        headers.fill(new long[] {1}, (from, to, visitor) -> visitor.visit(1, subject(1)));
        byte[][] newer = headers.fill(new long[] {1, 2, 3}, (from, to, visitor) -> {
            visitor.visit(2, subject(2));
            visitor.visit(3, subject(3));
            // meanwhile a search that read the UIDs before 2 and 3 came prunes them from the cache
            headers.fill(new long[] {1}, (f, t, v) -> { });
        });
        assertThat(texts(newer)).containsExactly("1", "2", "3");
    }

    /** Each header's subject, or null. */
    private static List<String> texts(byte[][] headers) {
        List<String> texts = new ArrayList<>();
        for (byte[] header : headers) {
            texts.add(header == null ? null
                : new String(header, StandardCharsets.US_ASCII).substring("Subject: ".length()).trim());
        }
        return texts;
    }

    private static byte[] subject(long uid) {
        return ("Subject: " + uid + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void encodedAndEightBitFieldsAreParsedByJamesOnceAndKept() throws Exception {
        HeaderBytesCache cache = new HeaderBytesCache(HeaderBytesCache.DEFAULT_MAX_BYTES);
        HeaderPrefilterSearchIndex index = cached(cache);
        List<Long> first = uids(index, QUERIES.get(0));
        assertThat(first).isEqualTo(uids(scanning, QUERIES.get(0))).contains(3L, 4L);
        MailboxHeaderBytes headers = cache.of(mailbox);
        assertThat(headers.parsedHeader(3)).as("encoded subject: James's parse kept").isNotNull();
        assertThat(headers.parsedHeader(4)).as("8-bit subject: James's parse kept").isNotNull();
        assertThat(headers.parsedHeader(1)).as("plain: answered from the bytes").isNull();
        assertThat(uids(index, QUERIES.get(0))).isEqualTo(first);
        // a text with non-ASCII letters: plain fields cannot hold them, the kept parses answer for the others
        assertThat(uids(index, QUERIES.get(1))).isEqualTo(uids(scanning, QUERIES.get(1))).contains(3L, 4L);
    }

    @Test
    void memoryStaysBoundedOverManyMailboxesAndAnswersStayRight() throws Exception {
        HeaderBytesCache cache = new HeaderBytesCache(4_000); // room for about two mailboxes of 12 small headers
        HeaderPrefilterSearchIndex index = cached(cache);
        List<Mailbox> mailboxes = new ArrayList<>();
        for (int m = 0; m < 6; m++) {
            MailboxPath folder = MailboxPath.forUser(session.getUser(), "folder" + m);
            store.mailboxManager().createMailbox(folder, session);
            MessageManager manager = store.mailboxManager().getMailbox(folder, session);
            for (int i = 0; i < 12; i++) {
                manager.appendMessage(MessageManager.AppendCommand.builder()
                    .build((header(i + m) + "\r\nbody\r\n").getBytes(StandardCharsets.ISO_8859_1)), session);
            }
            mailboxes.add(manager.getMailboxEntity());
        }
        for (int round = 0; round < 2; round++) {
            for (Mailbox folder : mailboxes) {
                for (SearchQuery query : QUERIES) {
                    assertThat(index.search(session, folder, query).map(MessageUid::asLong).collectList().block())
                        .isEqualTo(scanning.search(session, folder, query).map(MessageUid::asLong).collectList().block());
                }
            }
        }
        assertThat(cache.mailboxCount()).isBetween(1L, 3L);
    }

    /**
     * The start-up warm-up's bound (dist's StartUpWarmUp.HEADER_CACHE_BYTES): a mailbox whose headers weigh more than
     * the bound is read again from the database at every search, with James's answers, while a lighter one is kept.
     */
    @Test
    void aMailboxHeavierThanTheBoundIsReadAtEverySearchWhileALighterOneIsKept() throws Exception {
        MailboxPath large = MailboxPath.forUser(session.getUser(), "large");
        store.mailboxManager().createMailbox(large, session);
        MessageManager manager = store.mailboxManager().getMailbox(large, session);
        for (int i = 0; i < 60; i++) {
            manager.appendMessage(MessageManager.AppendCommand.builder()
                .build((header(i) + "\r\nbody\r\n").getBytes(StandardCharsets.ISO_8859_1)), session);
        }
        Mailbox largeBox = manager.getMailboxEntity();
        HeaderBytesCache probe = new HeaderBytesCache(HeaderBytesCache.DEFAULT_MAX_BYTES);
        cached(probe).search(session, largeBox, QUERIES.get(0)).collectList().block();
        cached(probe).search(session, mailbox, QUERIES.get(0)).collectList().block();
        long largeWeight = probe.of(largeBox).weight();
        long smallWeight = probe.of(mailbox).weight();
        assertThat(smallWeight).isPositive().isLessThan(largeWeight);

        HeaderBytesCache bounded = new HeaderBytesCache((smallWeight + largeWeight) / 2);
        HeaderPrefilterSearchIndex index = cached(bounded);
        for (int search = 0; search < 3; search++) {
            for (SearchQuery query : QUERIES) {
                assertThat(index.search(session, largeBox, query).map(MessageUid::asLong).collectList().block())
                    .isEqualTo(scanning.search(session, largeBox, query).map(MessageUid::asLong).collectList().block());
            }
            assertThat(bounded.mailboxCount()).as("the large mailbox's headers are not kept").isZero();
        }
        assertSameAsJames(index);
        assertThat(bounded.mailboxCount()).as("the small mailbox's headers are kept").isEqualTo(1);
        assertThat(bounded.of(mailbox).weight()).isEqualTo(smallWeight);
    }

    @Test
    void searchesDuringConcurrentDeliveriesGiveAnswersOfSomeMomentAndEndAsJames() throws Exception {
        HeaderPrefilterSearchIndex index = cached(new HeaderBytesCache(HeaderBytesCache.DEFAULT_MAX_BYTES));
        List<Long> initial = uids(index, QUERIES.get(0));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?> deliveries = pool.submit(() -> {
                for (int i = 12; i < 60; i++) {
                    append(otherSession, i);
                }
                return null;
            });
            List<Future<List<List<Long>>>> searchers = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                searchers.add(pool.submit(() -> {
                    List<List<Long>> answers = new ArrayList<>();
                    while (!deliveries.isDone()) {
                        answers.add(uids(index, QUERIES.get(0)));
                    }
                    return answers;
                }));
            }
            deliveries.get(120, TimeUnit.SECONDS);
            List<Long> last = uids(scanning, QUERIES.get(0));
            assertSameAsJames(index);
            for (Future<List<List<Long>>> searcher : searchers) {
                for (List<Long> answer : searcher.get(60, TimeUnit.SECONDS)) {
                    // only appends: each answer holds the first one's hits and is a part of the last one's
                    assertThat(answer).containsAll(initial);
                    assertThat(last).containsAll(answer);
                    assertThat(answer).isSorted();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
