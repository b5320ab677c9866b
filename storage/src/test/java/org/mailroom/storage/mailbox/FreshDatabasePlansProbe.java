package org.mailroom.storage.mailbox;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageManager.AppendCommand;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.SearchQuery;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.importance.ImportanceModel;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.message.MailParser;
import org.mailroom.sorter.spam.SpamFilter;
import org.mailroom.storage.queue.OutboundQueue;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.sorter.JdbcImportanceState;
import org.mailroom.storage.sorter.JdbcTokenStore;
import org.mailroom.storage.testing.StatementPlans;

import reactor.core.publisher.Flux;

/**
 * Grows a new database the way a new installation's use does (deliveries through James's API, spam and importance
 * learning through the sorter's models over the real state classes, the outbound queue), running the hot reads as
 * it goes, and reports the plan of every statement compiled so far at each size.
 */
final class FreshDatabasePlansProbe {
    private static final Username USER = Username.of("nina@example.org");
    private static final MailParser PARSER = new MailParser();
    private static final String COUNT_ROWS = "SELECT COUNT(*) FROM ";

    private final Database db;
    private final MailroomMailboxManager manager;
    private final MailboxSession session;
    private final MessageManager inbox;
    private final SpamFilter spam;
    private final ImportanceModel importance;
    private final OutboundQueue queue;
    private final Random random = new Random(42);
    private int delivered;

    FreshDatabasePlansProbe(Database db) throws Exception {
        this.db = db;
        this.manager = SingleUserStores.manager(db, USER);
        this.session = manager.createSystemSession(USER);
        MailboxPath path = MailboxPath.inbox(USER);
        manager.createMailbox(path, session);
        this.inbox = manager.getMailbox(path, session);
        // No row caches: every look-up the real path makes reaches the database, as each cache miss does.
        this.spam = new SpamFilter(new JdbcTokenStore(db, 0));
        this.importance = new ImportanceModel(new JdbcImportanceState(db, 0));
        this.queue = new OutboundQueue(db);
    }

    /** Delivers, learns and queues until {@code messages} messages have arrived, then runs each hot read once. */
    void growTo(int messages) throws Exception {
        while (delivered < messages) {
            deliverAndLearn(delivered++);
        }
        readAsClientsDo();
    }

    private void deliverAndLearn(int n) throws Exception {
        String sender = "sender" + (n % 997) + "@example" + (n % 13) + ".test";
        String text = "Message-ID: <m" + n + "@example.test>\r\nFrom: " + sender + "\r\nTo: " + USER.asString()
            + "\r\nSubject: subject " + words(3) + "\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\n" + words(40) + "\r\n";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        MailContent content = PARSER.parse(bytes);
        Instant at = Instant.parse("2026-03-02T10:00:00Z").plusSeconds(n * 60L);
        spam.spamLogOdds(USER.asString(), content, SessionFacts.none());
        importance.recordReceived(new IncomingMail(USER.asString(), Optional.of(sender), SessionFacts.none(), content, at));
        inbox.appendMessage(AppendCommand.builder().withInternalDate(Date.from(at)).withFlags(new Flags())
            .build(bytes), session);
        if (n % 2 == 0) {
            spam.learn(USER.asString(), content, n % 4 == 0);
        }
        if (n % 5 == 0) {
            importance.learnLabel(USER.asString(), content, at, n % 10 == 0, at.plusSeconds(30));
        }
        if (n % 10 == 0) {
            queue.enqueue(USER.asString(), List.of("far" + n + "@remote.test"), bytes, at);
        }
    }

    private void readAsClientsDo() throws Exception {
        long last = delivered;
        MessageRange tail = MessageRange.range(MessageUid.of(Math.max(1, last - 20)), MessageUid.of(last));
        Flux.from(inbox.getMessagesReactive(tail, FetchGroup.MINIMAL, session)).collectList().block();
        Flux.from(inbox.getMessagesReactive(tail, FetchGroup.FULL_CONTENT, session)).collectList().block();
        inbox.setFlags(new Flags(Flags.Flag.SEEN), MessageManager.FlagsUpdateMode.ADD, MessageRange.one(MessageUid.of(last)),
            session);
        Flux.from(inbox.search(SearchQuery.of(SearchQuery.headerContains("Subject", "subject")), session))
            .collectList().block();
        Flux.from(inbox.search(SearchQuery.of(SearchQuery.flagIsUnSet(Flags.Flag.SEEN)), session)).collectList().block();
        queue.pendingMessageIds();
    }

    private String words(int count) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < count; i++) {
            b.append('w').append(random.nextInt(50_000)).append(' ');
        }
        return b.toString();
    }

    /** The plans now of the statements the real paths compiled (not this probe's own row counts), by SQL text. */
    Map<String, StatementPlans.Plan> plans() {
        Map<String, StatementPlans.Plan> plans = new TreeMap<>(StatementPlans.ofCachedStatements(db));
        plans.keySet().removeIf(sql -> sql.startsWith(COUNT_ROWS));
        return plans;
    }

    /** How many rows each table holds (names as in the schema, either case). */
    Map<String, Long> rowCounts(List<String> tables) {
        return db.read(c -> {
            Map<String, Long> counts = new TreeMap<>();
            for (String table : tables) {
                try (var s = c.createStatement(); var rs = s.executeQuery(COUNT_ROWS + table)) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
            return counts;
        });
    }

    static List<String> hotTables() {
        return new ArrayList<>(List.of("mr_message", "mr_mailbox_message", "mr_spam_token", "mr_spam_training",
            "mr_importance_contact", "mr_importance_thread", "mr_importance_pending", "mr_importance_weight",
            "mr_queue_message", "mr_queue_recipient"));
    }
}
