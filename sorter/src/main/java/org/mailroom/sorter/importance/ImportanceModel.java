package org.mailroom.sorter.importance;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import org.mailroom.sorter.Dimension;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.Score;
import org.mailroom.sorter.Signal;
import org.mailroom.sorter.importance.ImportanceFeatures.Feature;
import org.mailroom.sorter.learning.ImportanceLabels.Label;
import org.mailroom.sorter.learning.SentMail;
import org.mailroom.sorter.message.MailAddress;
import org.mailroom.sorter.message.MailContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learned "will this user act on it" model, in the spirit of Gmail's Priority Inbox: one online logistic
 * regression over hashed features shared by all users, plus a per-user copy of every feature (per-user bias and
 * weights), trained with AdaGrad as labels become known.
 *
 * <p>Labels come from what the user does: a reply sent through submission that answers an earlier received message
 * makes that message important ({@link #learnSent}); a message left {@link Settings#labelAfter} without a reply is
 * normal ({@link #expireDue}, also run by every learning call for that user); moves into or out of Priority,
 * flags and {@code $Important} arrive through {@link #learnLabel}. Each received message is remembered with the
 * features the model saw at arrival ({@link #recordReceived}) so it learns from exactly what it predicted on.
 *
 * <p>{@link #evaluate} gives one IMPORTANCE score per feature family (social, thread, addressing, content,
 * header, prior) whose sum is calibrated log-odds with the operating threshold at 0 (positive: Priority).
 */
public final class ImportanceModel implements Signal {
    /**
     * The verdict on mail without a From address. Importance is what the user would answer, and such mail cannot be
     * answered; the learned features would otherwise see nothing against it (no unknown sender, no new thread: a
     * headerless message scored like the user's usual mail and went to Priority).
     */
    private static final List<Score> NO_SENDER = List.of(new Score(FeatureGroup.SOCIAL.signal, Dimension.IMPORTANCE,
        -2.0, "no sender address: nobody to answer"));


    private static final Logger LOG = LoggerFactory.getLogger(ImportanceModel.class);

    /**
     * Tuning of the model.
     *
     * @param learningRate AdaGrad's step size
     * @param l2           L2 shrinkage per update (keeps rare per-user weights small)
     * @param threshold    the probability at which a message goes to Priority; the scores are shifted by
     *                     {@code -logit(threshold)} so that threshold sits at log-odds 0
     * @param labelAfter   how long a received message may wait for a reply before it is learned as normal
     * @param prior        the share of mail a new user acts on, the model's starting point (so an untrained model
     *                     puts nothing in Priority)
     * @param perUserScale the value of a feature's per-user copy relative to its shared one: below 1 the per-user
     *                     weights move more slowly, so a user's few labels adjust the shared model instead of
     *                     replacing it
     * @param initialAccumulator AdaGrad's starting sum of squared gradients: damps the first steps of a new
     *                     feature, which AdaGrad would otherwise take at the full learning rate
     * @param denseScale   the value of the behaviour features (everything but words, sender address and domain)
     *                     relative to the sparse ones: AdaGrad steps a weight by about the same amount whatever the
     *                     feature's value, so a larger value lets the few features every message has (how often the
     *                     user answers this sender, the thread, the addressing) move the score that much faster,
     *                     while the thousands of rare words keep the small learning rate that stops them overfitting;
     *                     a smaller value (the default 0.1) makes them move that much more slowly, for when the
     *                     starting weights already know them
     */
    public record Settings(double learningRate, double l2, double threshold, Duration labelAfter, double prior,
                           double perUserScale, double initialAccumulator, double denseScale) {

        public Settings {
            if (!(learningRate > 0) || !(l2 >= 0) || !(threshold > 0 && threshold < 1) || labelAfter.isNegative()
                || !(prior > 0 && prior < 1) || !(perUserScale >= 0) || !(initialAccumulator >= 0)
                || !(denseScale > 0)) {
                throw new IllegalArgumentException("bad importance settings: " + learningRate + ", " + l2 + ", "
                    + threshold + ", " + labelAfter + ", " + prior + ", " + perUserScale + ", " + initialAccumulator
                    + ", " + denseScale);
            }
        }

        public Settings(double learningRate, double l2, double threshold, Duration labelAfter, double prior,
                        double perUserScale, double initialAccumulator) {
            this(learningRate, l2, threshold, labelAfter, prior, perUserScale, initialAccumulator,
                defaults().denseScale());
        }

        public static Settings defaults() {
            // denseScale 0.1: the fitted starting weights already hold what the behaviour features mean across
            // users, and the online steps on them mostly added noise (on users the start never saw, pooled AUC
            // 0.8512 -> 0.8559 and 0.8532 -> 0.8555, F1 0.418 -> 0.421 and 0.404 -> 0.421, bench/README.md
            // "Importance"); words, the sender's address and domain, where each user differs, keep the full rate,
            // so a user's replies and explicit labels still move the score.
            return new Settings(0.005, 1e-6, 0.22, Duration.ofDays(30), 0.1, 0.3, 1.0,
                0.1);
        }

        /** Added to every score: the prior's log-odds, minus the threshold's (which then sits at 0). */
        double offset() {
            return logit(prior) - logit(threshold);
        }

        double priorLogOdds() {
            return logit(prior);
        }

        private static double logit(double p) {
            return Math.log(p / (1 - p));
        }
    }

    private static final int EXPIRE_BATCH = 500;
    /**
     * How often an arrival looks for a user's expired pending messages: a query per delivered message found
     * nothing almost every time (labels fall due after 30 days), so arrivals check at most once a minute of
     * their own time per user; sent mail and labels still check every time.
     */
    private static final Duration EXPIRY_CHECK_INTERVAL = Duration.ofMinutes(1);
    /** Feature vectors {@link #evaluate} computed, kept for {@link #recordReceived} of the same delivery. */
    private static final int REMEMBERED_EVALUATIONS = 1024;

    private final ImportanceState state;
    private final Function<String, Set<String>> ownAddresses;
    private final Settings settings;
    private final ReentrantLock learning = new ReentrantLock();
    private final Map<String, Instant> lastExpiryCheck = new ConcurrentHashMap<>();
    private final EvaluatedFeatures evaluated = new EvaluatedFeatures(REMEMBERED_EVALUATIONS);

    /**
     * @param state        where statistics, pending messages and weights live
     * @param ownAddresses a user's own addresses (the user key itself is always included): aliases and the forms
     *                     mail to the user is addressed with
     */
    public ImportanceModel(ImportanceState state, Function<String, Set<String>> ownAddresses, Settings settings) {
        this.state = state;
        this.ownAddresses = ownAddresses;
        this.settings = settings;
    }

    public ImportanceModel(ImportanceState state) {
        this(state, user -> Set.of(), Settings.defaults());
    }

    @Override
    public List<Score> evaluate(IncomingMail mail) {
        try {
            MailContent content = ImportanceFeatures.withoutIgnoredHeaders(mail.content());
            if (ImportanceFeatures.sender(content).isEmpty()) {
                return NO_SENDER;
            }
            String user = mail.recipient();
            Layout layout = layout(user,
                ImportanceFeatures.extract(user, own(user), content, mail.receivedAt(), state));
            evaluated.remember(mail, layout.vector());
            return explain(layout);
        } catch (RuntimeException e) {
            LOG.warn("importance model could not judge a message for {}: {}", mail.recipient(), e.toString());
            return List.of();
        }
    }

    /**
     * The features of {@code mail} the starting model may weigh, as {@code name=value}, as {@link #evaluate} would
     * see them now: the behaviour features and the subject and body words, never the sender's address or domain
     * (they would not transfer to other users). What {@code bench/fit-importance-start.py} fits the starting
     * weights on.
     */
    public List<String> startingFeatures(IncomingMail mail) {
        MailContent content = ImportanceFeatures.withoutIgnoredHeaders(mail.content());
        List<String> out = new ArrayList<>();
        for (Feature f : ImportanceFeatures.extract(mail.recipient(), own(mail.recipient()), content,
            mail.receivedAt(), state)) {
            if (!f.name().startsWith("from:") && !f.name().startsWith("domain:")) {
                out.add(f.name() + "=" + f.value());
            }
        }
        return out;
    }

    /** The calibrated log-odds (threshold at 0) of {@code mail}: the sum of {@link #evaluate}'s scores. */
    public double logOdds(IncomingMail mail) {
        return evaluate(mail).stream().mapToDouble(Score::value).sum();
    }

    /**
     * Remembers a delivered message: its sender's and thread's counts, and the message itself until its label is
     * known. Call once per delivered message and recipient, after {@link #evaluate}: given the same
     * {@code IncomingMail} instance, it remembers the features {@link #evaluate} saw (exactly what was predicted
     * on) instead of extracting them again.
     */
    public void recordReceived(IncomingMail mail) {
        recordArrivals(List.of(mail));
    }

    /**
     * {@link #recordReceived} for several deliveries, in order, stored together ({@link ImportanceState#saveArrivals}:
     * one transaction for the lot). Either every arrival is stored or, when this throws, none.
     */
    public void recordArrivals(List<IncomingMail> mails) {
        learning.lock();
        try {
            // Due labels first (at most once a minute per user): what falls due is a month old, never one of these.
            for (IncomingMail mail : mails) {
                String user = mail.recipient();
                Instant at = mail.receivedAt();
                Instant checked = lastExpiryCheck.get(user);
                if (checked == null || !at.isBefore(checked.plus(EXPIRY_CHECK_INTERVAL)) || at.isBefore(checked)) {
                    expireDue(user, at);
                    lastExpiryCheck.put(user, at);
                }
            }
            ArrivalBatch batch = new ArrivalBatch(state);
            for (IncomingMail mail : mails) {
                record(mail, batch);
            }
            ArrivalWrites writes = batch.writes();
            if (!writes.isEmpty()) {
                state.saveArrivals(writes);
            }
        } finally {
            learning.unlock();
        }
    }

    private void record(IncomingMail mail, ArrivalBatch batch) {
        MailContent content = ImportanceFeatures.withoutIgnoredHeaders(mail.content());
        String user = mail.recipient();
        Instant at = mail.receivedAt();
        Set<String> own = own(user);
        String sender = ImportanceFeatures.sender(content);
        FeatureVector features = evaluated.take(mail)
            .orElseGet(() -> vector(user, ImportanceFeatures.extract(user, own, content, at, state)));
        String subjectKey = ThreadKeys.subject(content.subject());
        if (!sender.isEmpty() && !own.contains(sender)) {
            batch.addPending(user, new PendingMessage(messageKey(content), sender, subjectKey, at, features));
            batch.saveContact(user, batch.contact(user, sender).withReceived(at));
            batch.saveContact(user, batch.contact(user, ImportanceFeatures.TOTALS).withReceived(at));
            batch.saveContact(ImportanceFeatures.POPULATION,
                batch.contact(ImportanceFeatures.POPULATION, sender).withReceived(at));
        }
        if (!subjectKey.isEmpty()) {
            batch.saveThread(user, batch.thread(user, subjectKey).withReceived(at));
            if (!sender.isEmpty() && !own.contains(sender)) {
                String pair = ThreadKeys.conversation(sender, subjectKey);
                batch.saveThread(user, batch.thread(user, pair).withReceived(at));
            }
        }
    }

    /**
     * Learns from a message the user sent: who the user writes to, which threads the user takes part in, and which
     * earlier received messages it answers (each becomes an important example).
     */
    public void learnSent(SentMail sent) {
        MailContent content = ImportanceFeatures.withoutIgnoredHeaders(sent.content());
        String user = sent.user();
        Instant at = sent.sentAt();
        learning.lock();
        try {
            expireDue(user, at);
            Set<String> own = own(user);
            Set<String> recipients = new HashSet<>();
            for (String r : sent.envelopeRecipients()) {
                recipients.add(r.strip().toLowerCase(Locale.ROOT));
            }
            for (MailAddress a : content.to()) {
                recipients.add(a.address());
            }
            for (MailAddress a : content.cc()) {
                recipients.add(a.address());
            }
            recipients.removeAll(own);
            String subject = content.subject();
            String subjectKey = ThreadKeys.subject(subject);
            Set<String> references = new HashSet<>(ThreadKeys.references(content));
            boolean reply = ThreadKeys.isReply(subject) || !references.isEmpty();
            if (reply) {
                learnAnswered(user, recipients, subjectKey, references, at);
            }
            for (String r : recipients) {
                state.saveContact(user, state.contact(user, r).withSent(at));
                state.saveContact(ImportanceFeatures.POPULATION,
                    state.contact(ImportanceFeatures.POPULATION, r).withSent(at));
            }
            // The totals row's sent count and time: when the user last wrote anything (the "active:" feature).
            state.saveContact(user, state.contact(user, ImportanceFeatures.TOTALS).withSent(at));
            if (!subjectKey.isEmpty()) {
                state.saveThread(user, state.thread(user, subjectKey).withSent(at, !reply));
                for (String r : recipients) {
                    String pair = ThreadKeys.conversation(r, subjectKey);
                    state.saveThread(user, state.thread(user, pair).withSent(at, !reply));
                }
            }
            String id = ThreadKeys.messageId(content);
            if (!id.isEmpty()) {
                state.saveThread(user, state.thread(user, ThreadKeys.messageIdKey(id)).withSent(at, !reply));
            }
        } finally {
            learning.unlock();
        }
    }

    /**
     * Learns an explicit label the user gave (moved into or out of Priority, flagged, {@code $Important}, or a final
     * decision the caller made). Uses the features remembered at arrival when the message is still pending.
     */
    public void learnLabel(String user, MailContent content, Instant receivedAt, boolean important, Instant labelledAt) {
        learnLabels(List.of(new Label(user, content, receivedAt, important, labelledAt)));
    }

    /**
     * {@link #learnLabel} for several labels, in order, stored at once ({@link ImportanceState#saveLabels}: one
     * transaction for the pending messages taken, the contact rows and the weights of the lot). Each label reads what
     * the labels before it changed through a {@link LabelBatch}, so the result is the one the labels learned one at a
     * time give, to the bit ({@code ImportanceModelTest}). Either all of it is stored or, when this throws, none: the
     * batch's labels are then lost, as a failed single label's training was.
     */
    public void learnLabels(List<Label> labels) {
        learning.lock();
        try {
            LabelBatch batch = new LabelBatch(state);
            for (Label label : labels) {
                learn(label, batch);
            }
            LabelWrites writes = batch.writes();
            if (!writes.isEmpty()) {
                state.saveLabels(writes);
            }
        } finally {
            learning.unlock();
        }
    }

    private void learn(Label label, LabelBatch batch) {
        MailContent clean = ImportanceFeatures.withoutIgnoredHeaders(label.content());
        String user = label.user();
        String key = messageKey(clean);
        var pending = batch.pending(user, key);
        FeatureVector features;
        if (pending.isPresent()) {
            features = pending.get().features();
            batch.removePending(user, key);
        } else {
            features = vector(user, ImportanceFeatures.extract(user, own(user), clean, label.receivedAt(), batch));
        }
        train(features, label.important(), batch.weights());
        if (label.important()) {
            String sender = ImportanceFeatures.sender(clean);
            if (!sender.isEmpty() && pending.isPresent()) {
                batch.saveContact(user, batch.contact(user, sender).withReply());
                batch.saveContact(ImportanceFeatures.POPULATION,
                    batch.contact(ImportanceFeatures.POPULATION, sender).withReply());
            }
        }
    }

    /**
     * Learns every message of {@code user} that waited longer than {@link Settings#labelAfter} without a reply as
     * normal ("30 days without reply → normal", the server's rule and the benchmark's).
     */
    public void expireDue(String user, Instant now) {
        learning.lock();
        try {
            Instant cutoff = now.minus(settings.labelAfter());
            List<PendingMessage> due;
            do {
                due = state.pendingReceivedBefore(user, cutoff, EXPIRE_BATCH);
                for (PendingMessage message : due) {
                    train(message.features(), false);
                    state.removePending(user, message.messageKey());
                }
            } while (due.size() == EXPIRE_BATCH);
        } finally {
            learning.unlock();
        }
    }

    private void learnAnswered(String user, Set<String> recipients, String subjectKey, Set<String> references,
                               Instant at) {
        Instant oldest = at.minus(settings.labelAfter());
        for (String recipient : recipients) {
            int answered = 0;
            for (PendingMessage message : state.pendingFrom(user, recipient)) {
                boolean sameThread = (!subjectKey.isEmpty() && subjectKey.equals(message.subjectKey()))
                    || references.contains(message.messageKey());
                if (sameThread && !message.receivedAt().isBefore(oldest) && !message.receivedAt().isAfter(at)) {
                    train(message.features(), true);
                    state.removePending(user, message.messageKey());
                    answered++;
                }
            }
            if (answered > 0) {
                ContactStats contact = state.contact(user, recipient);
                ContactStats totals = state.contact(user, ImportanceFeatures.TOTALS);
                for (int i = 0; i < answered; i++) {
                    contact = contact.withReply();
                    totals = totals.withReply();
                }
                ContactStats population = state.contact(ImportanceFeatures.POPULATION, recipient);
                for (int i = 0; i < answered; i++) {
                    population = population.withReply();
                }
                state.saveContact(user, contact);
                state.saveContact(user, totals);
                state.saveContact(ImportanceFeatures.POPULATION, population);
            }
        }
    }

    /** One AdaGrad step of logistic loss on the uncalibrated log-odds, written at once. */
    private void train(FeatureVector features, boolean important) {
        WeightUpdates weights = new WeightUpdates(state);
        train(features, important, weights);
        weights.write();
    }

    /** One AdaGrad step of logistic loss on the uncalibrated log-odds, into {@code weights}. */
    private void train(FeatureVector features, boolean important, WeightUpdates weights) {
        int n = features.size();
        long[] keys = features.keysCopy();
        double[] w = new double[n];
        double[] g2 = new double[n];
        weights.read(keys, n, w, g2);
        double z = settings.priorLogOdds() + features.base();
        for (int i = 0; i < n; i++) {
            z += w[i] * features.value(i);
        }
        double p = 1 / (1 + Math.exp(-Math.max(-30, Math.min(30, z))));
        double error = p - (important ? 1 : 0);
        for (int i = 0; i < n; i++) {
            double grad = error * features.value(i) + settings.l2() * w[i];
            g2[i] += grad * grad;
            if (g2[i] > 0) {
                w[i] -= settings.learningRate() * grad / Math.sqrt(g2[i] + settings.initialAccumulator());
            }
        }
        weights.update(keys, n, w, g2);
    }

    private List<Score> explain(Layout layout) {
        List<Feature> features = layout.features();
        FeatureVector vector = layout.vector();
        int n = vector.size();
        long[] keys = vector.keysCopy();
        double[] w = new double[n];
        double[] g2 = new double[n];
        state.readWeights(keys, n, w, g2);
        Map<FeatureGroup, Double> totals = new EnumMap<>(FeatureGroup.class);
        Map<FeatureGroup, Feature> strongest = new EnumMap<>(FeatureGroup.class);
        Map<FeatureGroup, Double> strongestValue = new EnumMap<>(FeatureGroup.class);
        double[] contribution = layout.contributions(w);
        for (int j = 0; j < features.size(); j++) {
            Feature f = features.get(j);
            double c = contribution[layout.slotOf(j)];
            totals.merge(f.group(), c, Double::sum);
            if (Math.abs(c) > Math.abs(strongestValue.getOrDefault(f.group(), 0.0)) || !strongest.containsKey(f.group())) {
                strongest.put(f.group(), f);
                strongestValue.put(f.group(), c);
            }
        }
        totals.merge(FeatureGroup.PRIOR, settings.offset(), Double::sum);
        List<Score> scores = new ArrayList<>(totals.size());
        for (Map.Entry<FeatureGroup, Double> e : totals.entrySet()) {
            FeatureGroup group = e.getKey();
            double value = e.getValue();
            if (!Double.isFinite(value)) {
                continue;
            }
            String reason = group == FeatureGroup.PRIOR ? "your usual share of important mail"
                : strongest.get(group).reason();
            scores.add(new Score(group.signal, Dimension.IMPORTANCE, value, reason));
        }
        return scores;
    }

    /** Two keys per feature (shared, then the user's own copy), duplicates by name dropped. */
    private FeatureVector vector(String user, List<Feature> features) {
        return layout(user, features).vector();
    }

    /**
     * The features as the model weighs them: two keys per distinct name (shared, then the user's own copy) with
     * their values, and each feature's starting-weight part, in one pass: each name hashed and looked up in the
     * starting weights once (three hash sets of the names and two look-ups per name were 4 % of a delivery's CPU).
     */
    private Layout layout(String user, List<Feature> features) {
        long userHash = FeatureHashing.userHash(user);
        int count = features.size();
        long[] keys = new long[count * 2];
        float[] values = new float[count * 2];
        double[] starting = new double[count];
        int[] slotOf = new int[count];
        NameSlots slots = new NameSlots(count);
        int distinct = 0;
        double base = 0;
        for (int j = 0; j < count; j++) {
            Feature f = features.get(j);
            long nameHash = FeatureHashing.fnv(f.name());
            int known = slots.putIfAbsent(nameHash, distinct);
            if (known >= 0) {
                // A repeated name counts as its first occurrence (as explain always read it by name).
                slotOf[j] = known;
                continue;
            }
            slotOf[j] = distinct;
            starting[distinct] = f.value() * StartingWeights.ofHash(nameHash);
            base += starting[distinct];
            double value = ImportanceFeatures.isSparse(f) ? f.value() : f.value() * settings.denseScale();
            keys[2 * distinct] = FeatureHashing.globalOf(nameHash);
            values[2 * distinct] = (float) value;
            keys[2 * distinct + 1] = FeatureHashing.perUserOf(userHash, nameHash);
            values[2 * distinct + 1] = (float) (value * settings.perUserScale());
            distinct++;
        }
        int n = 2 * distinct;
        FeatureVector vector = new FeatureVector(Arrays.copyOf(keys, n), Arrays.copyOf(values, n), (float) base);
        return new Layout(List.copyOf(features), vector, slotOf, Arrays.copyOf(starting, distinct));
    }

    /**
     * A decision's distinct feature names by their 64-bit FNV hash (which their weight keys are made of, so two names
     * with one hash were already one feature to the model): open addressing over two arrays sized for the
     * decision, instead of a map of the names with a boxed slot each and every name hashed a second time.
     */
    private static final class NameSlots {
        private final long[] hashes;
        private final int[] slots;

        NameSlots(int expected) {
            int capacity = Integer.highestOneBit(Math.max(8, expected * 2) - 1) << 1;
            hashes = new long[capacity];
            slots = new int[capacity];
            Arrays.fill(slots, -1);
        }

        /** The slot already given to {@code hash}, or -1 after giving it {@code slot}. */
        int putIfAbsent(long hash, int slot) {
            int mask = slots.length - 1;
            for (int i = (int) (hash ^ (hash >>> 32)) & mask; ; i = (i + 1) & mask) {
                if (slots[i] < 0) {
                    hashes[i] = hash;
                    slots[i] = slot;
                    return -1;
                }
                if (hashes[i] == hash) {
                    return slots[i];
                }
            }
        }
    }

    /**
     * One evaluation's features laid out for the model: {@code slotOf[j]} is the pair of vector entries (at
     * {@code 2 * slot}) of feature {@code j}, {@code starting[slot]} its value times its starting weight.
     */
    private record Layout(List<Feature> features, FeatureVector vector, int[] slotOf, double[] starting) {

        int slotOf(int feature) {
            return slotOf[feature];
        }

        /** Each distinct feature's contribution to the log-odds with learned weights {@code w}: start, shared, own. */
        double[] contributions(double[] w) {
            double[] out = new double[starting.length];
            for (int slot = 0; slot < starting.length; slot++) {
                int i = 2 * slot;
                out[slot] = starting[slot] + vector.value(i) * w[i] + vector.value(i + 1) * w[i + 1];
            }
            return out;
        }
    }

    private Set<String> own(String user) {
        Set<String> own = new HashSet<>();
        own.add(user.toLowerCase(Locale.ROOT));
        for (String a : ownAddresses.apply(user)) {
            own.add(a.toLowerCase(Locale.ROOT));
        }
        return own;
    }

    /** The Message-ID, or a digest of sender, date and subject for mail without one. */
    static String messageKey(MailContent content) {
        String id = ThreadKeys.messageId(content);
        if (!id.isEmpty()) {
            return id;
        }
        String basis = ImportanceFeatures.sender(content) + "\n" + content.header("Date").orElse("") + "\n"
            + content.subject();
        return "digest:" + Long.toHexString(FeatureHashing.global(basis));
    }

    /**
     * The feature vectors of recent evaluations by {@code IncomingMail} identity (records compare by content, which would
     * hash whole messages), weakly held and bounded: an evaluation whose delivery failed is never taken and ages out.
     */
    static final class EvaluatedFeatures {
        private final int capacity;
        private final Map<Key, FeatureVector> entries;

        EvaluatedFeatures(int capacity) {
            this.capacity = capacity;
            this.entries = new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Key, FeatureVector> eldest) {
                    return size() > EvaluatedFeatures.this.capacity;
                }
            };
        }

        synchronized void remember(IncomingMail mail, FeatureVector features) {
            entries.put(new Key(mail), features);
        }

        synchronized Optional<FeatureVector> take(IncomingMail mail) {
            return Optional.ofNullable(entries.remove(new Key(mail)));
        }

        synchronized int size() {
            return entries.size();
        }

        /** Identity of an {@code IncomingMail} without keeping it alive. */
        private static final class Key {
            private final WeakReference<IncomingMail> mail;
            private final int hash;

            Key(IncomingMail mail) {
                this.mail = new WeakReference<>(mail);
                this.hash = System.identityHashCode(mail);
            }

            @Override
            public boolean equals(Object other) {
                return other instanceof Key key && key.hash == hash && key.mail.get() != null
                    && key.mail.get() == mail.get();
            }

            @Override
            public int hashCode() {
                return hash;
            }
        }
    }
}
