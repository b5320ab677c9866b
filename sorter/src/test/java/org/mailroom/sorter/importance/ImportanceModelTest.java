package org.mailroom.sorter.importance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mailroom.sorter.Dimension;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.Score;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.learning.ImportanceLabels.Label;
import org.mailroom.sorter.learning.SentMail;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.message.MailParser;

class ImportanceModelTest {

    private static final String ALICE = "alice@example.test";
    private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

    private final MailParser parser = new MailParser();
    private final InMemoryImportanceState state = new InMemoryImportanceState();
    private final ImportanceModel model = new ImportanceModel(state, u -> Set.of("alice.smith@example.test"),
        ImportanceModel.Settings.defaults());
    private int ids;

    private MailContent mail(String from, String to, String subject, String extraHeaders, String body) {
        String raw = "Message-ID: <m" + (++ids) + "@test>\r\nFrom: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject
            + "\r\n" + extraHeaders + "\r\n" + body + "\r\n";
        return parser.parse(raw.getBytes(StandardCharsets.UTF_8));
    }

    private IncomingMail incoming(MailContent content, Instant at) {
        return new IncomingMail(ALICE, Optional.empty(), SessionFacts.none(), content, at);
    }

    private double receive(MailContent content, Instant at) {
        return receive(model, content, at);
    }

    private double receive(ImportanceModel into, MailContent content, Instant at) {
        IncomingMail mail = incoming(content, at);
        double score = into.logOdds(mail);
        into.recordReceived(mail);
        return score;
    }

    /** Bob writes, Alice answers; a newsletter writes to a list, nobody answers. */
    private void history(int rounds) {
        for (int i = 0; i < rounds; i++) {
            Instant day = T0.plus(Duration.ofDays(2L * i));
            receive(mail("bob@partner.test", ALICE, "budget " + i, "", "Can you check the numbers for Q" + i + "?"), day);
            receive(mail("news@lists.test", "all-staff@example.test", "weekly digest " + i,
                "List-Id: <staff.example.test>\r\nPrecedence: bulk\r\n", "This week: canteen menu and parking."), day);
            model.learnSent(new SentMail(ALICE, mail(ALICE, "bob@partner.test", "RE: budget " + i, "", "Done."),
                List.of("bob@partner.test"), day.plus(Duration.ofHours(3))));
        }
    }

    @Test
    void learnsThatRepliedSendersMatterAndUnansweredListsDoNot() {
        history(40);
        Instant later = T0.plus(Duration.ofDays(90));
        IncomingMail fromBob = incoming(mail("bob@partner.test", ALICE, "forecast", "", "Is the forecast ready?"), later);
        IncomingMail digest = incoming(mail("news@lists.test", "all-staff@example.test", "weekly digest 99",
            "List-Id: <staff.example.test>\r\nPrecedence: bulk\r\n", "This week: canteen menu."), later);

        assertThat(model.logOdds(fromBob)).isGreaterThan(0);
        assertThat(model.logOdds(digest)).isLessThan(0);
        Score bobSocial = score(fromBob, "importance-social");
        assertThat(bobSocial.value()).isPositive();
        // Alice is the server's only user, so what everyone here did with Bob's mail is her own answers too.
        assertThat(bobSocial.reason()).isIn("you wrote to this sender 40 times", "you replied to this sender 40 times",
            "you received 40 earlier from this sender",
            "you answered 40 of 40 messages from this sender",
            "people here answered 40 of 40 messages from this sender");
        Score digestAddressing = score(digest, "importance-addressing");
        assertThat(digestAddressing.value()).isNegative();
        assertThat(digestAddressing.reason()).isIn("you are not in To or Cc", "mailing-list mail", "marked as bulk mail",
            "an automated sender address");
    }

    private Score score(IncomingMail mail, String signal) {
        return model.evaluate(mail).stream().filter(s -> s.signal().equals(signal)).findFirst().orElseThrow();
    }

    @Test
    void mailWithoutASenderAddressIsNeverPriority() {
        history(40);
        Instant later = T0.plus(Duration.ofDays(90));
        // Nothing but a body (and one with a subject but no From): before, no feature spoke against them and the
        // user's own answer rate put them in Priority.
        IncomingMail bare = incoming(parser.parse("hello there\r\n".getBytes(StandardCharsets.UTF_8)), later);
        IncomingMail noFrom = incoming(parser.parse(("To: " + ALICE + "\r\nSubject: Is the forecast ready?\r\n\r\n"
            + "Please answer today.\r\n").getBytes(StandardCharsets.UTF_8)), later);

        for (IncomingMail mail : List.of(bare, noFrom)) {
            assertThat(model.logOdds(mail)).isLessThan(0);
            assertThat(model.evaluate(mail)).singleElement()
                .satisfies(s -> assertThat(s.reason()).contains("no sender address"));
        }
        // recording it still works (its sender's counts are nobody's)
        model.recordReceived(bare);
    }

    @Test
    void aReplyFindsTheAnsweredMessageAndCountsIt() {
        receive(mail("carol@example.test", ALICE, "Lunch on Friday", "", "Shall we?"), T0);
        assertThat(state.pendingFrom(ALICE, "carol@example.test")).hasSize(1);

        model.learnSent(new SentMail(ALICE, mail("alice.smith@example.test", "Carol <carol@example.test>",
            "Re: lunch on   friday", "", "Yes"), List.of("carol@example.test"), T0.plus(Duration.ofDays(2))));

        assertThat(state.pendingFrom(ALICE, "carol@example.test")).isEmpty();
        ContactStats carol = state.contact(ALICE, "carol@example.test");
        assertThat(carol.replied()).isEqualTo(1);
        assertThat(carol.received()).isEqualTo(1);
        assertThat(carol.sentTo()).isEqualTo(1);
        assertThat(state.weightCount()).isPositive();
    }

    private List<String> featureNames(MailContent content, Instant at) {
        return ImportanceFeatures.extract(ALICE, Set.of(ALICE), content, at, state).stream()
            .map(ImportanceFeatures.Feature::name).toList();
    }

    @Test
    void aConversationWithTheSenderOnTheSubjectIsAFeature() {
        model.learnSent(new SentMail(ALICE, mail(ALICE, "bob@partner.test", "Budget plan", "", "Numbers?"),
            List.of("bob@partner.test"), T0));
        MailContent answer = mail("bob@partner.test", ALICE, "RE: budget plan", "", "Here they are.");
        assertThat(featureNames(answer, T0.plus(Duration.ofHours(5))))
            .contains("conv:wrote:1:day", "conv:started", "thread:active:day:joined");
        // The same subject from someone Alice did not write to is only the thread, not a conversation with them.
        assertThat(featureNames(mail("carol@example.test", ALICE, "Re: Budget plan", "", "me too"),
            T0.plus(Duration.ofDays(3)))).contains("thread:active:week:joined").noneMatch(n -> n.startsWith("conv:wrote"));

        for (int i = 0; i < 3; i++) {
            receive(mail("dave@example.test", ALICE, "Reminder: timesheet", "", "Please send it."),
                T0.plus(Duration.ofDays(i)));
        }
        assertThat(featureNames(mail("dave@example.test", ALICE, "Reminder: timesheet", "", "Again."),
            T0.plus(Duration.ofDays(4)))).contains("conv:unanswered:3");
        assertThat(ThreadKeys.conversation("bob@partner.test", "budget plan"))
            .isEqualTo(ThreadKeys.conversation("bob@partner.test", ThreadKeys.subject("RE: Budget  Plan")))
            .isNotEqualTo(ThreadKeys.conversation("carol@example.test", "budget plan")).hasSize(21);
    }

    @Test
    void howLongSinceTheUserLastSentAnythingIsAFeature() {
        MailContent incoming = mail("erin@example.test", ALICE, "Lunch", "", "Free on Friday?");
        assertThat(featureNames(incoming, T0)).contains("active:never");
        model.learnSent(new SentMail(ALICE, mail(ALICE, "frank@example.test", "Report", "", "Attached."),
            List.of("frank@example.test"), T0));
        assertThat(featureNames(incoming, T0.plus(Duration.ofMinutes(20)))).contains("active:1h");
        assertThat(featureNames(incoming, T0.plus(Duration.ofHours(30)))).contains("active:3d");
        assertThat(featureNames(incoming, T0.plus(Duration.ofDays(10)))).contains("active:1m");
        assertThat(featureNames(incoming, T0.plus(Duration.ofDays(45)))).contains("active:older");
        // Writing to someone counts for the totals, but the totals row is never a correspondent.
        assertThat(state.contact(ALICE, ImportanceFeatures.TOTALS).sentTo()).isEqualTo(1);
        assertThat(state.contact(ALICE, "frank@example.test").sentTo()).isEqualTo(1);
    }

    @Test
    void whatEveryoneDidWithASendersMailIsAFeatureForAUserWhoNeverHeardFromThem() {
        String bob = "bob@example.test";
        MailContent fromAnnouncer = mail("announce@corp.test", bob, "Town hall", "", "Join us on Friday.");
        assertThat(featureNames(fromAnnouncer, T0)).contains("pop-received:0", "pop-sentto:0")
            .noneMatch(n -> n.startsWith("pop-rate:"));
        // Many users receive from the announcer and nobody answers; Carol is someone people write to and answer.
        for (int i = 0; i < 20; i++) {
            String user = "user" + i + "@example.test";
            IncomingMail copy = new IncomingMail(user, Optional.empty(), SessionFacts.none(),
                mail("announce@corp.test", user, "News " + i, "", "Read this."), T0.plus(Duration.ofMinutes(i)));
            model.recordReceived(copy);
            IncomingMail question = new IncomingMail(user, Optional.empty(), SessionFacts.none(),
                mail("carol@corp.test", user, "Question " + i, "", "Can you?"), T0.plus(Duration.ofMinutes(i)));
            model.recordReceived(question);
            model.learnSent(new SentMail(user, mail(user, "carol@corp.test", "Re: Question " + i, "", "Yes."),
                List.of("carol@corp.test"), T0.plus(Duration.ofMinutes(i + 30))));
        }
        ContactStats announcer = state.contact(ImportanceFeatures.POPULATION, "announce@corp.test");
        assertThat(announcer.received()).isEqualTo(20);
        assertThat(announcer.replied()).isZero();
        ContactStats carol = state.contact(ImportanceFeatures.POPULATION, "carol@corp.test");
        assertThat(carol.received()).isEqualTo(20);
        assertThat(carol.replied()).isEqualTo(20);
        assertThat(carol.sentTo()).isEqualTo(20);
        Instant later = T0.plus(Duration.ofHours(2));
        assertThat(featureNames(mail("announce@corp.test", ALICE, "Town hall", "", "Join us."), later))
            .contains("pop-received:6", "pop-sentto:0", "pop-rate:0");
        assertThat(featureNames(mail("carol@corp.test", ALICE, "Hello", "", "Can you?"), later))
            .contains("pop-received:6", "pop-sentto:6", "pop-rate:5");
    }

    @Test
    void whomTheGreetingAddressesAndWhetherItQuotesTheUserAreFeatures() {
        Set<String> own = Set.of(ALICE, "alice.smith@example.test");
        assertThat(names(own, mail("bob@example.test", ALICE, "Deal", "", "Alice - can you check the deal?")))
            .contains("greeting:you").doesNotContain("mentions:you");
        assertThat(names(own, mail("bob@example.test", ALICE, "Deal", "", "Hi Smith,\n\nplease call.")))
            .contains("greeting:you");
        assertThat(names(own, mail("bob@example.test", "eric@example.test", "Deal", "",
            "Eric,\nwe need this today. Alice will know.")))
            .contains("greeting:other", "mentions:you");
        assertThat(names(own, mail("bob@example.test", ALICE, "Deal", "", "Folks, lunch at noon.")))
            .contains("greeting:group");
        assertThat(names(own, mail("bob@example.test", ALICE, "Deal", "", "Attached is the draft.")))
            .contains("greeting:none");
        // A display name the sender wrote for the user's address counts as the user's name.
        assertThat(names(Set.of("a7@example.test"), mail("bob@example.test", "\"Zoe Quinn\" <a7@example.test>",
            "Deal", "", "Zoe: ready?"))).contains("greeting:you");
        assertThat(names(own, mail("bob@example.test", ALICE, "RE: Deal", "",
            "Thanks.\n\n-----Original Message-----\nFrom: Smith, Alice\nSent: Monday\n\nHere it is.")))
            .contains("quotes:you");
        assertThat(names(own, mail("bob@example.test", ALICE, "Deal", "", "Thanks."))).doesNotContain("quotes:you");
    }

    @Test
    void theSendersDomainIsAFeature() {
        Set<String> own = Set.of(ALICE);
        assertThat(names(own, mail("bob@example.test", ALICE, "x", "", "y"))).contains("sender:colleague");
        assertThat(names(own, mail("bob@other.test", ALICE, "x", "", "y"))).contains("sender:outside");
    }

    private List<String> names(Set<String> own, MailContent content) {
        return ImportanceFeatures.extract(ALICE, own, content, T0, state).stream()
            .map(ImportanceFeatures.Feature::name).toList();
    }

    @Test
    void startingWeightsAreFittedForBehaviourAndHandSetForWhatTheCorpusLacks() {
        assertThat(StartingWeights.of("sender:automated")).isNegative();
        assertThat(StartingWeights.of("question")).isPositive();
        assertThat(StartingWeights.of("rate-logit")).isPositive();
        assertThat(StartingWeights.of("list")).isEqualTo(-1.0);
        assertThat(StartingWeights.of("auto-submitted")).isEqualTo(-1.5);
        assertThat(StartingWeights.of("from:bob@partner.test")).isZero();
        assertThat(StartingWeights.of("b:zqxwv")).isZero();
        assertThat(StartingWeights.of("active:older")).isNegative();
        assertThat(StartingWeights.of("active:1h")).isPositive();
    }

    @Test
    void aReplyAfterThirtyDaysDoesNotCountAndTheMessageIsLearnedAsNormal() {
        receive(mail("carol@example.test", ALICE, "Lunch", "", "Shall we?"), T0);
        model.learnSent(new SentMail(ALICE, mail(ALICE, "carol@example.test", "Re: Lunch", "", "Sorry, late"),
            List.of("carol@example.test"), T0.plus(Duration.ofDays(31))));

        assertThat(state.pendingFrom(ALICE, "carol@example.test")).isEmpty();
        assertThat(state.contact(ALICE, "carol@example.test").replied()).isZero();
    }

    @Test
    void expiryLearnsUnansweredMailAsNormal() {
        receive(mail("dave@example.test", ALICE, "Hello", "", "hi"), T0);
        model.expireDue(ALICE, T0.plus(Duration.ofDays(29)));
        assertThat(state.pendingFrom(ALICE, "dave@example.test")).hasSize(1);
        model.expireDue(ALICE, T0.plus(Duration.ofDays(31)));
        assertThat(state.pendingFrom(ALICE, "dave@example.test")).isEmpty();
        assertThat(state.weightCount()).isPositive();
    }

    @Test
    void labelsRaiseOrLowerTheScoreOfSimilarMail() {
        MailContent first = mail("erin@example.test", ALICE, "contract draft", "", "see attached draft");
        receive(first, T0);
        IncomingMail next = incoming(mail("erin@example.test", ALICE, "contract draft v2", "", "see attached draft"),
            T0.plus(Duration.ofDays(1)));
        double before = model.logOdds(next);
        for (int i = 0; i < 5; i++) {
            model.learnLabel(ALICE, first, T0, true, T0.plus(Duration.ofHours(i + 1)));
        }
        assertThat(model.logOdds(next)).isGreaterThan(before);
        assertThat(state.pending(ALICE, "m1@test")).isEmpty();
    }

    @Test
    void labelsLearnedTogetherLeaveExactlyWhatTheyLeaveOneByOneWithOneWriteOfTheWeights() {
        history(5);
        Instant at = T0.plus(Duration.ofDays(20));
        MailContent fromBob = mail("bob@partner.test", ALICE, "invoice", "", "Please pay the invoice.");
        MailContent fromCarol = mail("carol@example.test", ALICE, "lunch", "", "Lunch on Friday?");
        MailContent digest = mail("news@lists.test", "all-staff@example.test", "weekly digest 50",
            "List-Id: <staff.example.test>\r\nPrecedence: bulk\r\n", "Canteen menu.");
        MailContent neverRecorded = mail("dan@example.test", ALICE, "hello", "", "Hi there.");
        List<Label> labels = List.of(
            new Label(ALICE, fromBob, at, true, at.plusSeconds(60)),
            new Label(ALICE, digest, at, false, at.plusSeconds(61)),
            new Label(ALICE, fromBob, at, true, at.plusSeconds(62)),   // flagged again: pending already taken
            new Label(ALICE, neverRecorded, at, true, at.plusSeconds(63)),
            new Label(ALICE, fromCarol, at, true, at.plusSeconds(64)));

        CountingState batchState = new CountingState(new InMemoryImportanceState());
        ImportanceModel batched = new ImportanceModel(batchState, u -> Set.of("alice.smith@example.test"),
            ImportanceModel.Settings.defaults());
        replayHistory(batched);
        for (MailContent content : List.of(fromBob, fromCarol, digest)) {
            receive(content, at);
            receive(batched, content, at);
        }
        for (Label label : labels) {
            model.learnLabel(label.user(), label.content(), label.receivedAt(), label.important(), label.labelledAt());
        }
        int writesBefore = batchState.weightWrites;
        batched.learnLabels(labels);

        assertThat(batchState.weightWrites - writesBefore).isEqualTo(1);
        assertThat(batchState.weightCount()).isEqualTo(state.weightCount());
        Instant later = at.plus(Duration.ofDays(1));
        for (MailContent probe : List.of(fromBob, fromCarol, digest, neverRecorded,
            mail("bob@partner.test", ALICE, "invoice 2", "", "Another invoice."))) {
            assertThat(batched.logOdds(incoming(probe, later))).isEqualTo(model.logOdds(incoming(probe, later)));
        }
        for (String sender : List.of("bob@partner.test", "carol@example.test", "news@lists.test")) {
            assertThat(batchState.contact(ALICE, sender)).isEqualTo(state.contact(ALICE, sender));
            assertThat(batchState.pendingFrom(ALICE, sender)).isEqualTo(state.pendingFrom(ALICE, sender));
        }
    }

    /** {@link #history} as it reached {@link #model}, replayed into another model (same messages, same order). */
    private void replayHistory(ImportanceModel other) {
        int saved = ids;
        ids = 0;
        for (int i = 0; i < 5; i++) {
            Instant day = T0.plus(Duration.ofDays(2L * i));
            receive(other, mail("bob@partner.test", ALICE, "budget " + i, "",
                "Can you check the numbers for Q" + i + "?"), day);
            receive(other, mail("news@lists.test", "all-staff@example.test", "weekly digest " + i,
                "List-Id: <staff.example.test>\r\nPrecedence: bulk\r\n", "This week: canteen menu and parking."),
                day);
            other.learnSent(new SentMail(ALICE, mail(ALICE, "bob@partner.test", "RE: budget " + i, "", "Done."),
                List.of("bob@partner.test"), day.plus(Duration.ofHours(3))));
        }
        ids = saved;
    }

    /** An in-memory state that counts the writes of weights (each is a transaction in the durable state). */
    private static final class CountingState implements ImportanceState {
        private final InMemoryImportanceState delegate;
        int weightWrites;

        CountingState(InMemoryImportanceState delegate) {
            this.delegate = delegate;
        }

        int weightCount() {
            return delegate.weightCount();
        }

        @Override
        public ContactStats contact(String user, String address) {
            return delegate.contact(user, address);
        }

        @Override
        public void saveContact(String user, ContactStats contact) {
            delegate.saveContact(user, contact);
        }

        @Override
        public ThreadStats thread(String user, String key) {
            return delegate.thread(user, key);
        }

        @Override
        public void saveThread(String user, ThreadStats thread) {
            delegate.saveThread(user, thread);
        }

        @Override
        public void addPending(String user, PendingMessage message) {
            delegate.addPending(user, message);
        }

        @Override
        public Optional<PendingMessage> pending(String user, String messageKey) {
            return delegate.pending(user, messageKey);
        }

        @Override
        public List<PendingMessage> pendingFrom(String user, String sender) {
            return delegate.pendingFrom(user, sender);
        }

        @Override
        public List<PendingMessage> pendingReceivedBefore(String user, Instant cutoff, int limit) {
            return delegate.pendingReceivedBefore(user, cutoff, limit);
        }

        @Override
        public void removePending(String user, String messageKey) {
            delegate.removePending(user, messageKey);
        }

        @Override
        public void readWeights(long[] keys, int count, double[] weights, double[] squaredGradients) {
            delegate.readWeights(keys, count, weights, squaredGradients);
        }

        @Override
        public void writeWeights(long[] keys, int count, double[] weights, double[] squaredGradients) {
            weightWrites++;
            delegate.writeWeights(keys, count, weights, squaredGradients);
        }
    }

    @Test
    void mailboxExportHeadersAreIgnored() {
        history(10);
        Instant at = T0.plus(Duration.ofDays(40));
        MailContent plain = mail("bob@partner.test", ALICE, "x", "", "body");
        MailContent exported = mail("bob@partner.test", ALICE, "x",
            "X-Folder: \\Alice\\Important\r\nX-Origin: Alice-A\r\nX-FileName: alice.pst\r\n", "body");
        assertThat(model.logOdds(incoming(exported, at))).isEqualTo(model.logOdds(incoming(plain, at)));
        assertThat(ImportanceFeatures.withoutIgnoredHeaders(exported).header("X-Folder")).isEmpty();
    }

    @Test
    void scoresAreImportanceScoresWithReasonsAndTheCalibrationPutsAnUnknownMessageBelowPriority() {
        List<Score> scores = model.evaluate(incoming(mail("someone@example.test", ALICE, "hi", "", "text"), T0));
        assertThat(scores).isNotEmpty().allMatch(s -> s.dimension() == Dimension.IMPORTANCE)
            .allMatch(s -> !s.reason().isBlank());
        assertThat(scores).extracting(Score::signal).contains("importance-prior", "importance-social");
        // An untrained model says "the prior" (10%), below the threshold: not Priority.
        assertThat(scores.stream().mapToDouble(Score::value).sum()).isLessThan(0);
    }

    @Test
    void brokenOrEmptyMessagesAreScoredWithoutFailing() {
        MailContent empty = parser.parse(new byte[0]);
        MailContent garbage = parser.parse("From: <<<@@@\r\nTo: ,,,\r\nSubject: Re: RE: fw:\r\n\r\n\0\0".getBytes(
            StandardCharsets.ISO_8859_1));
        for (MailContent content : List.of(empty, garbage)) {
            IncomingMail mail = incoming(content, T0);
            assertThat(model.evaluate(mail)).isNotEmpty();
            model.recordReceived(mail);
            model.learnSent(new SentMail(ALICE, content, List.of(), T0));
            model.learnLabel(ALICE, content, T0, true, T0);
        }
    }

    @Test
    void explicitHighPriorityHeaderIsAFeature() {
        MailContent urgent = mail("x@example.test", ALICE, "now", "Importance: High\r\nX-Priority: 1\r\n", "text");
        assertThat(model.evaluate(incoming(urgent, T0))).extracting(Score::signal).contains("importance-header");
    }

    @Test
    void arrivalRemembersTheFeaturesTheModelPredictedOn() {
        IncomingMail mail = incoming(mail("frank@example.test", ALICE, "lunch", "", "today?"), T0);
        model.evaluate(mail);
        // Frank becomes a known correspondent between the decision and the arrival's recording: what is remembered
        // for later training must still be what the decision saw (a stranger), not a fresh extraction.
        state.saveContact(ALICE, state.contact(ALICE, "frank@example.test").withSent(T0).withSent(T0).withReply());
        IncomingMail same = incoming(mail.content(), T0);
        FeatureVector predicted = vectorRecordedFor(mail);
        FeatureVector extractedAgain = vectorRecordedFor(same);
        assertThat(predicted).isNotEqualTo(extractedAgain);
    }

    private FeatureVector vectorRecordedFor(IncomingMail mail) {
        model.recordReceived(mail);
        String key = ImportanceModel.messageKey(ImportanceFeatures.withoutIgnoredHeaders(mail.content()));
        FeatureVector features = state.pending(ALICE, key).orElseThrow().features();
        state.removePending(ALICE, key);
        return features;
    }

    @Test
    void evaluationsAreRememberedByIdentityAndBounded() {
        ImportanceModel.EvaluatedFeatures remembered = new ImportanceModel.EvaluatedFeatures(2);
        MailContent content = mail("g@example.test", ALICE, "s", "", "b");
        IncomingMail first = incoming(content, T0);
        IncomingMail equalButOther = incoming(content, T0);
        assertThat(first).isEqualTo(equalButOther);
        FeatureVector vector = new FeatureVector(new long[] {1, 2}, new float[] {1f, 0.3f}, 0f);
        remembered.remember(first, vector);
        assertThat(remembered.take(equalButOther)).isEmpty();
        assertThat(remembered.take(first)).containsSame(vector);
        assertThat(remembered.take(first)).isEmpty();
        for (int i = 0; i < 5; i++) {
            remembered.remember(incoming(content, T0.plusSeconds(i)), vector);
        }
        assertThat(remembered.size()).isEqualTo(2);
    }

    @Test
    void arrivalsStillExpireDueMessagesWhenTheirTimeComes() {
        receive(mail("dave@example.test", ALICE, "Hello", "", "hi"), T0);
        receive(mail("erin@example.test", ALICE, "Later", "", "hi"), T0.plus(Duration.ofSeconds(10)));
        assertThat(state.pendingFrom(ALICE, "dave@example.test")).hasSize(1);
        receive(mail("erin@example.test", ALICE, "Much later", "", "hi"), T0.plus(Duration.ofDays(31)));
        assertThat(state.pendingFrom(ALICE, "dave@example.test")).isEmpty();
    }

    @Test
    void arrivalsRecordedTogetherCountAsMuchAsOneByOneAndAreStoredInOneWrite() {
        InMemoryImportanceState oneByOneState = new InMemoryImportanceState();
        ImportanceModel oneByOne = new ImportanceModel(oneByOneState, u -> Set.of(), ImportanceModel.Settings.defaults());
        List<IncomingMail> arrivals = List.of(
            incoming(mail("dave@example.test", ALICE, "Plans", "", "one"), T0),
            incoming(mail("dave@example.test", ALICE, "Re: plans", "", "two"), T0.plusSeconds(1)),
            incoming(mail("erin@example.test", ALICE, "Other", "", "three"), T0.plusSeconds(2)));
        for (IncomingMail mail : arrivals) {
            oneByOne.recordReceived(mail);
        }
        InMemoryImportanceState batchedState = new InMemoryImportanceState();
        List<ArrivalWrites> batches = new java.util.ArrayList<>();
        ImportanceState counting = (ImportanceState) java.lang.reflect.Proxy.newProxyInstance(
            ImportanceState.class.getClassLoader(), new Class<?>[] {ImportanceState.class}, (proxy, method, args) -> {
                if (method.getName().equals("saveArrivals")) {
                    batches.add((ArrivalWrites) args[0]);
                    for (ArrivalWrites.Row<PendingMessage> row : batches.get(batches.size() - 1).pending()) {
                        batchedState.addPending(row.user(), row.value());
                    }
                    batches.get(batches.size() - 1).contacts().forEach(r -> batchedState.saveContact(r.user(), r.value()));
                    batches.get(batches.size() - 1).threads().forEach(r -> batchedState.saveThread(r.user(), r.value()));
                    return null;
                }
                if (method.getName().startsWith("save") || method.getName().equals("addPending")) {
                    throw new AssertionError("arrival row written outside the batch: " + method.getName());
                }
                return method.invoke(batchedState, args);
            });
        new ImportanceModel(counting, u -> Set.of(), ImportanceModel.Settings.defaults()).recordArrivals(arrivals);

        assertThat(batches).hasSize(1);
        // dave, erin, the totals, and the population's rows for dave and erin: each once, its last value
        assertThat(batches.get(0).contacts()).hasSize(5);
        for (InMemoryImportanceState s : List.of(oneByOneState, batchedState)) {
            assertThat(s.contact(ALICE, "dave@example.test").received()).isEqualTo(2);
            assertThat(s.contact(ALICE, "dave@example.test").lastReceived()).contains(T0.plusSeconds(1));
            assertThat(s.contact(ALICE, ImportanceFeatures.TOTALS).received()).isEqualTo(3);
            assertThat(s.contact(ImportanceFeatures.POPULATION, "dave@example.test").received()).isEqualTo(2);
            assertThat(s.thread(ALICE, ThreadKeys.subject("plans")).received()).isEqualTo(2);
            assertThat(s.pendingFrom(ALICE, "dave@example.test")).hasSize(2);
            assertThat(s.pendingFrom(ALICE, "erin@example.test")).hasSize(1);
        }
    }
}
