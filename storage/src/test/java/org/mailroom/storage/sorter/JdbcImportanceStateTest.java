package org.mailroom.storage.sorter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.SessionFacts;
import org.assertj.core.api.Assertions;
import org.mailroom.sorter.importance.ArrivalWrites;
import org.mailroom.sorter.importance.ContactStats;
import org.mailroom.sorter.importance.FeatureVector;
import org.mailroom.sorter.importance.ImportanceModel;
import org.mailroom.sorter.importance.ImportanceState;
import org.mailroom.sorter.importance.PendingMessage;
import org.mailroom.sorter.importance.ThreadStats;
import org.mailroom.sorter.learning.SentMail;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.message.MailParser;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.mailroom.storage.testing.TestDatabases;

/** The importance model's state on Derby (emptied shared database); the PostgreSQL twin overrides {@link #database}. */
class JdbcImportanceStateTest {

    private static final Instant T = Instant.parse("2026-03-01T10:15:30.123Z");

    protected Database database() {
        return TestDatabases.derby();
    }

    private final Database db = database();
    private final JdbcImportanceState state = new JdbcImportanceState(db);

    @Test
    void contactsRoundTripAndUnknownOnesAreZero() {
        assertThat(state.contact("alice@x.test", "bob@y.test")).isEqualTo(ContactStats.unknown("bob@y.test"));
        ContactStats bob = new ContactStats("bob@y.test", 5, 2, 7, Optional.of(T), Optional.empty());
        state.saveContact("alice@x.test", bob);
        assertThat(state.contact("alice@x.test", "bob@y.test")).isEqualTo(bob);
        ContactStats updated = new ContactStats("bob@y.test", 6, 3, 8, Optional.of(T), Optional.of(T.plusSeconds(5)));
        state.saveContact("alice@x.test", updated);
        assertThat(state.contact("alice@x.test", "bob@y.test")).isEqualTo(updated);
        assertThat(state.contact("carol@x.test", "bob@y.test").received()).isZero();
    }

    @Test
    void threadsRoundTripAndLongKeysAreCutConsistently() {
        ThreadStats thread = new ThreadStats("gas prices", 2, 3, true, Optional.of(T));
        state.saveThread("alice@x.test", thread);
        assertThat(state.thread("alice@x.test", "gas prices")).isEqualTo(thread);
        String longKey = "k".repeat(2000);
        state.saveThread("alice@x.test", new ThreadStats(longKey, 1, 0, false, Optional.empty()));
        assertThat(state.thread("alice@x.test", longKey).sent()).isEqualTo(1);
        assertThat(state.thread("alice@x.test", "other").sent()).isZero();
    }

    @Test
    void pendingMessagesAreFoundBySenderAndAgeInArrivalOrder() {
        FeatureVector features = FeatureVector.fromBytes(new byte[] {63, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 63, -128, 0, 0});
        state.addPending("alice@x.test", new PendingMessage("m2", "bob@y.test", "b", T.plusSeconds(60), features));
        state.addPending("alice@x.test", new PendingMessage("m1", "bob@y.test", "a", T, features));
        state.addPending("alice@x.test", new PendingMessage("m3", "carol@y.test", "c", T.plusSeconds(120), features));
        state.addPending("dave@x.test", new PendingMessage("m9", "bob@y.test", "d", T, features));

        assertThat(state.pendingFrom("alice@x.test", "bob@y.test")).extracting(PendingMessage::messageKey)
            .containsExactly("m1", "m2");
        assertThat(state.pendingReceivedBefore("alice@x.test", T.plusSeconds(61), 10))
            .extracting(PendingMessage::messageKey).containsExactly("m1", "m2");
        assertThat(state.pendingReceivedBefore("alice@x.test", T.plusSeconds(600), 1))
            .extracting(PendingMessage::messageKey).containsExactly("m1");
        PendingMessage m1 = state.pending("alice@x.test", "m1").orElseThrow();
        assertThat(m1.features()).isEqualTo(features);
        assertThat(m1.receivedAt()).isEqualTo(T);

        state.removePending("alice@x.test", "m1");
        assertThat(state.pending("alice@x.test", "m1")).isEmpty();
        assertThat(state.pendingFrom("dave@x.test", "bob@y.test")).hasSize(1);
        // A message delivered twice (same key) is remembered once, with the later arrival.
        state.addPending("alice@x.test", new PendingMessage("m2", "bob@y.test", "b", T.plusSeconds(90), features));
        assertThat(state.pendingFrom("alice@x.test", "bob@y.test")).singleElement()
            .extracting(PendingMessage::receivedAt).isEqualTo(T.plusSeconds(90));
    }

    @Test
    void weightsRoundTripAcrossManyKeysAndUnknownKeysReadZero() {
        int n = 250;
        long[] keys = new long[n];
        double[] w = new double[n];
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            keys[i] = Long.MIN_VALUE + i * 7919L;
            w[i] = i / 10.0 - 3;
            g[i] = i;
        }
        state.writeWeights(keys, n / 2, w, g);
        state.writeWeights(keys, n, w, g);
        w[0] = 42;
        state.writeWeights(keys, 1, w, g);
        double[] readW = new double[n + 1];
        double[] readG = new double[n + 1];
        long[] withUnknown = java.util.Arrays.copyOf(keys, n + 1);
        withUnknown[n] = 12345L;
        state.readWeights(withUnknown, n + 1, readW, readG);
        assertThat(readW[0]).isEqualTo(42);
        for (int i = 1; i < n; i++) {
            assertThat(readW[i]).isEqualTo(w[i]);
            assertThat(readG[i]).isEqualTo(g[i]);
        }
        assertThat(readW[n]).isZero();
        assertThat(readG[n]).isZero();

        // The same from the database itself, without this instance's cache.
        double[] fresh = new double[n];
        new JdbcImportanceState(db, 0).readWeights(keys, n, fresh, new double[n]);
        assertThat(fresh[0]).isEqualTo(42);
        assertThat(fresh[n - 1]).isEqualTo(w[n - 1]);
    }

    /** Decisions read weights from memory once they were read or learned; learning still commits every change. */
    @Test
    void weightsAreCachedWrittenThroughAndStillDurable() {
        int n = 250;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = 1_000_003L * i + 17;
        }
        double[] w = new double[n];
        double[] g = new double[n];
        state.readWeights(keys, n, w, g);
        assertThat(state.weightsReadFromDatabase()).isEqualTo(n);
        state.readWeights(keys, n, w, g);
        assertThat(state.weightsReadFromDatabase()).as("the second decision hits the cache only").isEqualTo(n);

        w[3] = 1.5;
        g[3] = 2.25;
        state.writeWeights(keys, 10, w, g);
        double[] readW = new double[n];
        double[] readG = new double[n];
        state.readWeights(keys, n, readW, readG);
        assertThat(readW[3]).isEqualTo(1.5);
        assertThat(readG[3]).isEqualTo(2.25);
        assertThat(state.weightsReadFromDatabase()).isEqualTo(n);

        JdbcImportanceState other = new JdbcImportanceState(db);
        double[] otherW = new double[n];
        other.readWeights(keys, n, otherW, new double[n]);
        assertThat(otherW[3]).as("committed, not only cached").isEqualTo(1.5);
        assertThat(other.weightsReadFromDatabase()).isEqualTo(n);
    }

    /**
     * A batch of arrivals commits together; its rows are then served from memory (decisions read them for every
     * recipient), and a second instance over the same database reads what was committed.
     */
    @Test
    void arrivalsCommitTogetherAndTheirRowsAreServedFromMemory() {
        FeatureVector features = FeatureVector.fromBytes(new byte[] {63, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 63, -128, 0, 0});
        String alice = "alice@x.test";
        ContactStats bob = new ContactStats("bob@y.test", 2, 0, 0, Optional.of(T), Optional.empty());
        ContactStats carol = new ContactStats("carol@y.test", 1, 0, 0, Optional.of(T), Optional.empty());
        ThreadStats thread = new ThreadStats("plans", 0, 2, false, Optional.of(T));
        assertThat(state.contact(alice, "bob@y.test").received()).isZero();   // cached as unknown: must be replaced
        state.saveArrivals(new ArrivalWrites(
            List.of(new ArrivalWrites.Row<>(alice, bob), new ArrivalWrites.Row<>(alice, carol)),
            List.of(new ArrivalWrites.Row<>(alice, thread)),
            List.of(new ArrivalWrites.Row<>(alice, new PendingMessage("m1", "bob@y.test", "plans", T, features)),
                new ArrivalWrites.Row<>(alice, new PendingMessage("m2", "bob@y.test", "plans", T, features)))));
        long reads = state.rowsReadFromDatabase();
        assertThat(state.contact(alice, "bob@y.test")).isEqualTo(bob);
        assertThat(state.contact(alice, "carol@y.test")).isEqualTo(carol);
        assertThat(state.thread(alice, "plans")).isEqualTo(thread);
        assertThat(state.rowsReadFromDatabase()).as("written through, read from memory").isEqualTo(reads);

        JdbcImportanceState other = new JdbcImportanceState(db);
        assertThat(other.contact(alice, "bob@y.test")).as("committed, not only cached").isEqualTo(bob);
        assertThat(other.thread(alice, "plans")).isEqualTo(thread);
        assertThat(other.pendingFrom(alice, "bob@y.test")).extracting(PendingMessage::messageKey)
            .containsExactly("m1", "m2");
        assertThat(other.rowsReadFromDatabase()).isEqualTo(2);
        other.contact(alice, "bob@y.test");
        assertThat(other.rowsReadFromDatabase()).isEqualTo(2);
    }

    /**
     * Arrivals insert their pending rows without looking first; a message key already pending (delivered again), or
     * twice in one batch, makes that insert fail, and the batch is stored again replacing the old rows: the last
     * arrival's row wins, and the batch's other rows are stored once.
     */
    @Test
    void anArrivalWhoseMessageIsAlreadyPendingReplacesItsRow() {
        FeatureVector features = FeatureVector.fromBytes(new byte[] {63, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 63, -128, 0, 0});
        String alice = "alice@x.test";
        state.saveArrivals(new ArrivalWrites(List.of(), List.of(),
            List.of(new ArrivalWrites.Row<>(alice, new PendingMessage("m1", "bob@y.test", "first", T, features)))));
        ContactStats bob = new ContactStats("bob@y.test", 3, 0, 0, Optional.of(T), Optional.empty());
        state.saveArrivals(new ArrivalWrites(List.of(new ArrivalWrites.Row<>(alice, bob)), List.of(),
            List.of(new ArrivalWrites.Row<>(alice, new PendingMessage("m1", "bob@y.test", "again", T, features)),
                new ArrivalWrites.Row<>(alice, new PendingMessage("m2", "bob@y.test", "new", T, features)),
                new ArrivalWrites.Row<>(alice, new PendingMessage("m2", "bob@y.test", "twice", T.plusSeconds(1),
                    features)))));

        JdbcImportanceState other = new JdbcImportanceState(db);
        assertThat(other.pendingFrom(alice, "bob@y.test")).extracting(PendingMessage::messageKey, PendingMessage::subjectKey)
            .containsExactly(Assertions.tuple("m1", "again"), Assertions.tuple("m2", "twice"));
        assertThat(other.contact(alice, "bob@y.test")).isEqualTo(bob);
    }

    /** A batch that fails part-way stores none of its rows, and the cache does not keep them either. */
    @Test
    void aFailedBatchOfArrivalsLeavesNothingBehind() {
        FeatureVector features = FeatureVector.fromBytes(new byte[] {63, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 63, -128, 0, 0});
        String alice = "alice@x.test";
        ContactStats before = new ContactStats("bob@y.test", 1, 0, 0, Optional.of(T), Optional.empty());
        state.saveContact(alice, before);
        ContactStats after = new ContactStats("bob@y.test", 2, 0, 0, Optional.of(T), Optional.empty());
        ArrivalWrites broken = new ArrivalWrites(List.of(new ArrivalWrites.Row<>(alice, after)),
            List.of(new ArrivalWrites.Row<>(null, new ThreadStats("plans", 0, 1, false, Optional.of(T)))),
            List.of(new ArrivalWrites.Row<>(alice, new PendingMessage("m1", "bob@y.test", "plans", T, features))));
        Assertions.assertThatThrownBy(() -> state.saveArrivals(broken)).isInstanceOf(RuntimeException.class);

        assertThat(state.contact(alice, "bob@y.test")).isEqualTo(before);
        assertThat(state.pending(alice, "m1")).isEmpty();
        assertThat(new JdbcImportanceState(db).contact(alice, "bob@y.test")).isEqualTo(before);
    }

    /** Learning survives a restart: a model over a reopened database scores exactly as before. */
    @Test
    void learningSurvivesReopeningTheDatabase(@TempDir Path dir) {
        MailParser parser = new MailParser();
        String alice = "alice@x.test";
        MailContent fromBob = parser.parse(("Message-ID: <q@y>\r\nFrom: bob@y.test\r\nTo: alice@x.test\r\n"
            + "Subject: numbers\r\n\r\nCan you check?\r\n").getBytes(StandardCharsets.UTF_8));
        IncomingMail next = new IncomingMail(alice, Optional.empty(), SessionFacts.none(), parser.parse((
            "Message-ID: <r@y>\r\nFrom: bob@y.test\r\nTo: alice@x.test\r\nSubject: more numbers\r\n\r\nAnd these?\r\n")
            .getBytes(StandardCharsets.UTF_8)), T.plus(Duration.ofDays(3)));
        double trained;
        try (Database db = Database.open(DatabaseSettings.embedded(dir))) {
            ImportanceModel model = new ImportanceModel(new JdbcImportanceState(db));
            double untrained = model.logOdds(next);
            model.recordReceived(new IncomingMail(alice, Optional.empty(), SessionFacts.none(), fromBob, T));
            model.learnSent(new SentMail(alice, parser.parse(("From: alice@x.test\r\nTo: bob@y.test\r\n"
                + "Subject: RE: numbers\r\n\r\nok\r\n").getBytes(StandardCharsets.UTF_8)), List.of("bob@y.test"),
                T.plus(Duration.ofHours(2))));
            trained = model.logOdds(next);
            assertThat(trained).isGreaterThan(untrained);
        }
        try (Database db = Database.open(DatabaseSettings.embedded(dir))) {
            JdbcImportanceState reopened = new JdbcImportanceState(db);
            assertThat(new ImportanceModel(reopened).logOdds(next)).isEqualTo(trained);
            assertThat(reopened.contact(alice, "bob@y.test").replied()).isEqualTo(1);
            assertThat(reopened.pending(alice, "q@y")).isEmpty();
        }
    }

    /**
     * A seeded sequence of labels (the same message flagged again, unflagged ones in between as "not important",
     * messages never recorded) learned one label at a time on the in-memory state, as the model stored them before
     * labels were committed per batch, and in batches of 1 to 8 on this state: every weight, read back from the
     * database by a new instance (no cache: what a restart sees), is the same to the bit, and so are the contact rows
     * and what is still pending.
     */
    @Test
    void labelsStoredPerBatchLeaveBitForBitWhatLabelsOneByOneLeave() {
        MailParser parser = new MailParser();
        String alice = "alice@x.test";
        java.util.Random random = new java.util.Random(20261130);
        List<String> senders = List.of("bob@y.test", "carol@z.test", "news@list.test", "dan@y.test");
        List<MailContent> messages = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
            String sender = senders.get(i % senders.size());
            messages.add(parser.parse(("Message-ID: <l" + i + "@y>\r\nFrom: " + sender + "\r\nTo: " + alice
                + "\r\nSubject: " + (i % 3 == 0 ? "Re: " : "") + "topic " + (i % 5) + "\r\n\r\nWords " + i
                + " about the plan, the budget " + (i * 7) + " and lunch?\r\n").getBytes(StandardCharsets.UTF_8)));
        }
        org.mailroom.sorter.importance.InMemoryImportanceState memory =
            new org.mailroom.sorter.importance.InMemoryImportanceState();
        ImportanceModel oneByOne = new ImportanceModel(memory);
        ImportanceModel batched = new ImportanceModel(state);
        for (int i = 0; i < 12; i++) {   // the last four are never recorded: labels extract their features
            Instant at = T.plusSeconds(60L * i);
            oneByOne.recordReceived(new IncomingMail(alice, Optional.empty(), SessionFacts.none(), messages.get(i), at));
            batched.recordReceived(new IncomingMail(alice, Optional.empty(), SessionFacts.none(), messages.get(i), at));
        }
        List<org.mailroom.sorter.learning.ImportanceLabels.Label> labels = new java.util.ArrayList<>();
        for (int n = 0; n < 80; n++) {
            int m = random.nextInt(messages.size());
            labels.add(new org.mailroom.sorter.learning.ImportanceLabels.Label(alice, messages.get(m),
                T.plusSeconds(60L * m), random.nextInt(3) > 0, T.plus(Duration.ofHours(1)).plusSeconds(n)));
        }
        for (var label : labels) {
            oneByOne.learnLabel(label.user(), label.content(), label.receivedAt(), label.important(),
                label.labelledAt());
        }
        for (int from = 0; from < labels.size(); ) {
            int to = Math.min(labels.size(), from + 1 + random.nextInt(8));
            batched.learnLabels(labels.subList(from, to));
            from = to;
        }

        JdbcImportanceState reread = new JdbcImportanceState(db, 0);
        long[] keys = memory.weightKeys();
        assertThat(keys).hasSizeGreaterThan(100);
        double[] expected = new double[keys.length];
        double[] expectedG2 = new double[keys.length];
        memory.readWeights(keys, keys.length, expected, expectedG2);
        double[] stored = new double[keys.length];
        double[] storedG2 = new double[keys.length];
        reread.readWeights(keys, keys.length, stored, storedG2);
        for (int i = 0; i < keys.length; i++) {
            assertThat(Double.doubleToRawLongBits(stored[i])).as("weight %d", keys[i])
                .isEqualTo(Double.doubleToRawLongBits(expected[i]));
            assertThat(Double.doubleToRawLongBits(storedG2[i])).as("squared gradient %d", keys[i])
                .isEqualTo(Double.doubleToRawLongBits(expectedG2[i]));
        }
        for (String sender : senders) {
            assertThat(reread.contact(alice, sender)).isEqualTo(memory.contact(alice, sender));
            assertThat(reread.contact("*all", sender)).isEqualTo(memory.contact("*all", sender));
            assertThat(reread.pendingFrom(alice, sender)).extracting(PendingMessage::messageKey)
                .isEqualTo(memory.pendingFrom(alice, sender).stream().map(PendingMessage::messageKey).toList());
        }
    }

    /**
     * The weights' write trusts the cache for whether a row exists, and the database corrects it: a row another
     * server inserted after this instance cached "no row" (the insert fails on the key, the write starts again), and a
     * row this instance cached that is gone (the update finds nothing, the write starts again), both end with this
     * instance's value stored.
     */
    @Test
    void weightWritesStoreTheirValueWhenTheCachedKnowledgeOfARowIsStale() {
        long[] keys = {901L, 902L};
        double[] w = new double[2];
        double[] g2 = new double[2];
        state.readWeights(keys, 2, w, g2);   // cached: no rows
        JdbcImportanceState otherServer = new JdbcImportanceState(db);
        otherServer.writeWeights(new long[] {901L}, 1, new double[] {0.5}, new double[] {0.25});
        state.writeWeights(keys, 2, new double[] {1.5, 2.5}, new double[] {1, 2});
        db.transactionVoid(c -> {
            try (var delete = c.prepareStatement("DELETE FROM mr_importance_weight WHERE feature_key = 902")) {
                delete.executeUpdate();
            }
        });
        state.writeWeights(new long[] {902L}, 1, new double[] {3.5}, new double[] {3});

        JdbcImportanceState reread = new JdbcImportanceState(db, 0);
        reread.readWeights(keys, 2, w, g2);
        assertThat(w).containsExactly(1.5, 3.5);
        assertThat(g2).containsExactly(1.0, 3.0);
    }
}
