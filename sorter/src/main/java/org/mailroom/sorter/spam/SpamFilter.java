package org.mailroom.sorter.spam;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.mailroom.sorter.Dimension;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.Score;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.Signal;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.spam.signals.StructureCheck;
import org.mailroom.sorter.spam.signals.StructureChecks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learned spam classifier: online logistic regression over hashed binary features ({@link FeatureExtractor}:
 * words, sparse word pairs, header tokens and the structure checks' facts), scaled to unit length. Each user's
 * weights are added to the global weights, so a user with no training gets the global model and a user's
 * corrections refine it. Training is incremental and idempotent per message key; a correction first undoes the
 * message's earlier training (its record keeps the exact change it made).
 *
 * <p>Reports its output as SPAM scores in log-odds: one score per structure fact that fired (its learned weight,
 * with the check's reason), and one for the rest (tokens and prior) naming the strongest tokens.
 */
public final class SpamFilter implements Signal {
    private static final Logger LOG = LoggerFactory.getLogger(SpamFilter.class);
    static final String SIGNAL = "spam-classifier";
    static final String HEADER_SIGNAL = "spam-header-model";
    private static final int REASON_TOKENS = 3;

    private final TokenStore store;
    private final SpamModelSettings settings;
    private final FeatureExtractor extractor;

    public SpamFilter(TokenStore store, SpamModelSettings settings, StructureCheck checks) {
        this(store, settings, new FeatureExtractor(checks));
    }

    private SpamFilter(TokenStore store, SpamModelSettings settings, FeatureExtractor extractor) {
        this.store = Objects.requireNonNull(store, "store");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.extractor = extractor;
    }

    /** The same classifier (settings, checks) over another store: what {@link BulkTraining} trains an order in. */
    SpamFilter over(TokenStore other) {
        return new SpamFilter(other, settings, extractor);
    }

    /** The store this classifier learns into. */
    TokenStore store() {
        return store;
    }

    public SpamFilter(TokenStore store, SpamModelSettings settings) {
        this(store, settings, StructureChecks.standard());
    }

    public SpamFilter(TokenStore store) {
        this(store, SpamModelSettings.defaults());
    }

    @Override
    public List<Score> evaluate(IncomingMail mail) {
        try {
            return scores(mail.recipient(), mail.content(), mail.session());
        } catch (RuntimeException e) {
            LOG.warn("Spam classifier could not judge a message for {}: {}", mail.recipient(), e.toString());
            return List.of();
        }
    }

    /**
     * The spam log-odds for {@code user} (after the decision offset: positive means spam), or empty when neither
     * the user nor the global model has any training.
     */
    public Optional<Double> spamLogOdds(String user, MailContent content, SessionFacts session) {
        Features features = features(user, content, session, null, null);
        Model model = model(user, features.tokens);
        return model.untrained() ? Optional.empty()
            : Optional.of(model.logOdds(features.tokens.length) + weightedHeaderLogOdds(user, features)
                - settings.decisionOffset());
    }

    /** The two opinions the classifier adds up, before weighting and offset (for tuning and benchmarks). */
    public record Evidence(double regression, double bayes, double headers) {
    }

    /** The regression's log-odds and the naive-Bayes log-odds for {@code user}, or empty when untrained. */
    public Optional<Evidence> evidence(String user, MailContent content, SessionFacts session) {
        Features features = features(user, content, session, null, null);
        Model model = model(user, features.tokens);
        return model.untrained() ? Optional.empty()
            : Optional.of(new Evidence(model.regressionLogOdds(features.tokens.length), model.bayesLogOdds(),
                headerLogOdds(user, features.headerTokens)));
    }

    /**
     * What the extractor gives a message, for offline study of other learners on the same features (the quality
     * benchmark's {@code -Dspam.dumpTokens}): the main model's distinct token hashes and the header model's (empty
     * when it is off), both without the sender-history features ({@link #studySenderHistory}: they depend on what
     * was trained), and a name for every hash (a boosted or repeated feature's copies share their name; a structure
     * fact is {@code fact:KEY}). Every feature is binary; each model scales its whole set, history included, to
     * unit length. Not used by classification: it builds a String per feature.
     */
    public record StudyFeatures(long[] tokens, long[] headerTokens, Map<Long, String> names) {
    }

    /** The extractor's features of {@code content} as the two models weigh them ({@link StudyFeatures}). */
    public StudyFeatures studyFeatures(MailContent content, SessionFacts session) {
        Map<Long, String> names = new HashMap<>();
        EmittedFeatures emitted = new EmittedFeatures();
        extractor.extract(content, session, emitted);
        extractor.extract(content, session, new FeatureExtractor.NamingSink() {
            @Override
            public void feature(long hash) {
            }

            @Override
            public boolean wantsName(long hash) {
                return !names.containsKey(hash);
            }

            @Override
            public void name(long hash, String name) {
                names.putIfAbsent(hash, name);
            }

            @Override
            public void fact(long hash, String key, String reason) {
                names.putIfAbsent(hash, "fact:" + key);
            }
        });
        LongSet tokens = new LongSet(emitted.count());
        for (int i = 0; i < emitted.count(); i++) {
            tokens.add(emitted.hash(i));
        }
        LongSet headers = new LongSet(256);
        if (headerModel()) {
            emitted.headerModelFeatures(headers);
        }
        return new StudyFeatures(tokens.toArray(), headers.toArray(), names);
    }

    /**
     * The sender-history features of {@code content} (with their boosted copies, which both models weigh) as this
     * store gives them for {@code user}, the message trained under {@code messageKey} left out: for a trained
     * message what its training step saw, for a new one what its classification sees. By hash, with their names.
     */
    public Map<Long, String> studySenderHistory(String user, String messageKey, MailContent content) {
        Map<Long, String> out = new LinkedHashMap<>();
        for (long h : SenderHistory.features(store, user, settings.shareWithGlobal(), content, messageKey)) {
            for (int i = 0; i < FeatureExtractor.BOOST; i++) {
                out.put(i == 0 ? h : FeatureExtractor.copyHash(h, i), SenderHistory.name(h).orElseThrow());
            }
        }
        return out;
    }

    private List<Score> scores(String user, MailContent content, SessionFacts session) {
        if (untrained(user)) {
            // Neither model has seen a message, so it can only abstain (what model(...).untrained() would say after
            // the fact): the features, the whole tokenizer, are not computed for nothing on a fresh server.
            return List.of();
        }
        Features features = features(user, content, session, null, null);
        Model model = model(user, features.tokens);
        if (model.untrained()) {
            return List.of();
        }
        double scale = scale(features.tokens.length);
        List<Score> scores = new ArrayList<>();
        double factTotal = 0;
        // Each fact's weight, found in one scan of the tokens (each fact is among them once) rather than one per
        // fact; a primitive set, so the thousands of tokens are not boxed to be looked up.
        List<EmittedFeatures.Fact> facts = features.facts;
        LongSet factHashes = new LongSet(facts.size());
        facts.forEach(f -> factHashes.add(f.hash()));
        double[] factWeight = new double[facts.size()];
        for (int i = 0; i < features.tokens.length; i++) {
            if (factHashes.contains(features.tokens[i])) {
                for (int k = 0; k < facts.size(); k++) {
                    if (facts.get(k).hash() == features.tokens[i]) {
                        factWeight[k] = model.weight(i);
                    }
                }
            }
        }
        for (int k = 0; k < facts.size(); k++) {
            double value = factWeight[k] * scale;
            factTotal += value;
            if (Math.abs(value) >= 0.005) {
                scores.add(new Score("spam-" + facts.get(k).key(), Dimension.SPAM, value, facts.get(k).reason()));
            }
        }
        // The header model's opinion is a score of its own (what the headers alone say), when it says anything.
        double headers = weightedHeaderLogOdds(user, features);
        double total = model.logOdds(features.tokens.length) + headers - settings.decisionOffset();
        if (Math.abs(headers) >= 0.005) {
            scores.add(new Score(HEADER_SIGNAL, Dimension.SPAM, headers, headers > 0
                ? "learned from the headers alone: look like spam" : "learned from the headers alone: look like ham"));
            total -= headers;
        }
        double rest = total - factTotal;
        scores.add(0, new Score(SIGNAL, Dimension.SPAM, rest, tokenReason(features, factHashes, model, rest)));
        return scores;
    }

    /**
     * Names the tokens that pushed hardest in the direction of the classifier's score: spelled out from what the
     * message's extraction kept ({@link EmittedFeatures#names}), not by extracting it again.
     */
    private static String tokenReason(Features features, LongSet factHashes, Model model, double rest) {
        double sign = rest >= 0 ? 1 : -1;
        long[] top = new long[REASON_TOKENS];
        double[] topValue = new double[REASON_TOKENS];
        for (int i = 0; i < features.tokens.length; i++) {
            double v = sign * model.weight(i);
            if (v <= topValue[REASON_TOKENS - 1] || factHashes.contains(features.tokens[i])) {
                continue;
            }
            int at = REASON_TOKENS - 1;
            while (at > 0 && v > topValue[at - 1]) {
                top[at] = top[at - 1];
                topValue[at] = topValue[at - 1];
                at--;
            }
            top[at] = features.tokens[i];
            topValue[at] = v;
        }
        int strongest = 0;
        while (strongest < REASON_TOKENS && topValue[strongest] > 0) {
            strongest++;
        }
        long[] wanted = Arrays.copyOf(top, strongest);
        String[] names = features.emitted.names(wanted);
        for (int i = 0; i < strongest; i++) {
            // The sender-history features are the only ones not extracted from the message.
            names[i] = SenderHistory.name(wanted[i]).orElse(names[i]);
        }
        StringBuilder reason = new StringBuilder(rest >= 0 ? "learned: looks like spam" : "learned: looks like ham");
        String separator = " (";
        java.util.Set<String> said = new java.util.HashSet<>();
        for (int i = 0; i < strongest; i++) {
            // A boosted feature's copies share its name: say it once.
            if (names[i] != null && said.add(names[i])) {
                reason.append(separator).append('"').append(names[i]).append('"');
                separator = ", ";
            }
        }
        if (!separator.equals(" (")) {
            reason.append(')');
        }
        return reason.toString();
    }

    /** Trains the message for {@code user} under its Message-ID (or a digest of its headers when it has none). */
    public void learn(String user, MailContent content, boolean spam) {
        learn(user, messageKey(content), content, spam);
    }

    /**
     * Trains one message as spam or ham for {@code user} ({@link TokenStore#GLOBAL} trains only the global model).
     * Idempotent: learning a message again with the same label changes nothing; with the other label (the user
     * corrected the verdict) the earlier training is undone first.
     */
    public synchronized void learn(String user, String messageKey, MailContent content, boolean spam) {
        trainEverywhere(user, messageKey, content, spam, false, null);
    }

    /**
     * {@link #learn} with the sender-history features given rather than read from this store: {@link BulkTraining}
     * gives every training order the history the whole training set has (each message left out of its own), so the
     * orders learn the same tokens for each message and their average is exact.
     */
    synchronized void learn(String user, String messageKey, MailContent content, boolean spam, long[] senderHistory) {
        trainEverywhere(user, messageKey, content, spam, false, senderHistory);
    }

    /**
     * The sender-history features of a message as {@code census} (a store holding at least the spam/ham counts of
     * the messages' senders) gives them for {@code user}, the message under {@code messageKey} left out.
     */
    long[] senderHistory(TokenStore census, String user, MailContent content, String messageKey) {
        return SenderHistory.features(census, user, settings.shareWithGlobal(), content, messageKey);
    }

    /** The scopes whose counts the sender history of {@code user}'s messages is read from, among those it trains. */
    List<String> historyScopes(String user) {
        return TokenStore.GLOBAL.equals(user) || settings.shareWithGlobal() ? List.of(TokenStore.GLOBAL)
            : List.of(user);
    }

    /**
     * Another training step for an already learned message when the model is still unsure of it (its log-odds
     * within {@link SpamModelSettings#reinforceMargin()} of the wrong side): the later passes of bulk training.
     * Returns whether a step was taken; does nothing for messages not learned with this label.
     */
    public synchronized boolean reinforce(String user, String messageKey, MailContent content, boolean spam) {
        return trainEverywhere(user, messageKey, content, spam, true, null);
    }

    /**
     * One training step of the message in the user's models (main and header) and, when {@code user} is the global
     * scope or shares with it, in the global ones. Each model steps on its own prediction and keeps its own record
     * of the message, so an undo of each takes back exactly what that model learned.
     */
    private boolean trainEverywhere(String user, String messageKey, MailContent content, boolean spam,
                                    boolean reinforcing, long[] senderHistory) {
        Features features = features(user, content, SessionFacts.none(), messageKey, senderHistory);
        boolean global = TokenStore.GLOBAL.equals(user);
        boolean stepped = false;
        for (String scope : global ? List.of(TokenStore.GLOBAL) : settings.shareWithGlobal()
            ? List.of(user, TokenStore.GLOBAL) : List.of(user)) {
            boolean withGlobal = !TokenStore.GLOBAL.equals(scope);
            stepped |= train(scope, messageKey, features.tokens, spam, withGlobal, reinforcing);
            if (headerModel()) {
                stepped |= train(headerScope(scope), messageKey, features.headerTokens, spam, withGlobal, reinforcing);
            }
        }
        return stepped;
    }

    /** Undoes the training of one message for {@code user} (and in the global model when shared). */
    public synchronized void forget(String user, String messageKey) {
        undo(user, messageKey);
        undo(headerScope(user), messageKey);
        if (!TokenStore.GLOBAL.equals(user) && settings.shareWithGlobal()) {
            undo(TokenStore.GLOBAL, messageKey);
            undo(headerScope(TokenStore.GLOBAL), messageKey);
        }
    }

    private void undo(String scope, String messageKey) {
        store.record(scope, messageKey).ifPresent(r -> store.apply(scope, messageKey, r.undo()));
    }

    /**
     * One logistic-regression step in {@code scope}. A user scope learns the residual of the global model
     * ({@code withGlobal}): its prediction includes the global weights, so it only learns where the user differs.
     */
    private boolean train(String scope, String messageKey, long[] tokens, boolean spam, boolean withGlobal,
                          boolean reinforcing) {
        Optional<TokenStore.TrainingRecord> earlier = store.record(scope, messageKey);
        double kept = 0;
        if (earlier.isPresent()) {
            if (earlier.get().spam() == spam) {
                if (!reinforcing) {
                    return false;
                }
                kept = earlier.get().weightDelta();
            } else {
                if (reinforcing) {
                    return false;
                }
                undo(scope, messageKey);
            }
        } else if (reinforcing) {
            return false;
        }
        if (reinforcing) {
            // Step on the tokens the message was first learned with: its sender-history features may read
            // differently now (other mail from the sender was trained since), and the record keeps one token set
            // with one summed change, so every step must move the same tokens for an undo to take all of it back.
            tokens = earlier.get().tokens();
        }
        double z = logOdds(scope, tokens, withGlobal);
        double label = spam ? 1 : 0;
        if (reinforcing && (spam ? z : -z) >= settings.reinforceMargin()) {
            return false;
        }
        double p = 1 / (1 + Math.exp(-z));
        // Class weighting: a ham's step counts hamWeight times (a lost ham costs more than a missed spam).
        double delta = settings.learningRate() * (label - p) * scale(tokens.length)
            * (spam ? 1 : settings.hamWeight());
        boolean first = earlier.isEmpty() || earlier.get().spam() != spam;
        store.apply(scope, messageKey, new TokenStore.TrainingChange(tokens, delta, first && spam ? 1 : 0,
            first && !spam ? 1 : 0, Optional.of(new TokenStore.TrainingRecord(spam, tokens, kept + delta))));
        return true;
    }

    /**
     * The scope the header model of {@code scope} (a user's address, or the global scope) is kept in, in the same
     * store: its own weights, bias, totals and training records. The prefix ends in {@code :}, which an unquoted
     * address cannot hold, so no user's scope is ever taken for a header model's.
     */
    static String headerScope(String scope) {
        return HEADER_SCOPE_PREFIX + scope;
    }

    private static final String HEADER_SCOPE_PREFIX = "headers:";

    private boolean headerModel() {
        return settings.headerWeight() > 0;
    }

    /**
     * The header model's log-odds for {@code user} (the global header model plus the user's), 0 when it is off: a
     * second logistic regression over the message's header, delivery, structure and sender-history features alone,
     * scaled to unit length among themselves. In the main model those few dozen features share one unit-length
     * vector with hundreds or thousands of words, so in long prose (list-posted political spam, newsletters) the
     * words outvote them whatever they say; the header model hears them undiluted, and its opinion is added at a
     * small weight (stacking with a fixed weight chosen by cross-validation, {@link SpamModelSettings#headerWeight}).
     */
    private double headerLogOdds(String user, long[] headerTokens) {
        if (!headerModel()) {
            return 0;
        }
        return logOdds(headerScope(user), headerTokens, !TokenStore.GLOBAL.equals(user));
    }

    /** The header model's share of the total: its log-odds at {@link SpamModelSettings#headerWeight}. */
    private double weightedHeaderLogOdds(String user, Features features) {
        return headerModel() ? settings.headerWeight() * headerLogOdds(user, features.headerTokens) : 0;
    }

    private double logOdds(String scope, long[] tokens, boolean withGlobal) {
        double sum = sumOf(store.read(scope, tokens).weights());
        double bias = store.totals(scope).bias();
        if (withGlobal) {
            String global = scope.startsWith(HEADER_SCOPE_PREFIX) ? headerScope(TokenStore.GLOBAL)
                : TokenStore.GLOBAL;
            sum += sumOf(store.read(global, tokens).weights());
            bias += store.totals(global).bias();
        }
        return bias + sum * scale(tokens.length);
    }

    private static double sumOf(double[] weights) {
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        return sum;
    }

    /** Features are binary, scaled so each message's vector has unit length: long mail does not shout louder. */
    static double scale(int tokens) {
        return tokens == 0 ? 0 : 1 / Math.sqrt(tokens);
    }

    /** The key a message is trained under when the caller has none: its Message-ID, or a digest of its headers. */
    public static String messageKey(MailContent content) {
        Optional<String> id = content.header("Message-ID").map(String::strip).filter(s -> !s.isEmpty());
        if (id.isPresent()) {
            return id.get().length() <= 900 ? id.get() : id.get().substring(0, 900);
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            content.headers().forEach(h -> digest.update((h.name() + ":" + h.value() + "\n")
                .getBytes(StandardCharsets.UTF_8)));
            digest.update(content.text().getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /**
     * The message's features as {@code user} sees the model: what the message says ({@link FeatureExtractor}) and
     * what the model has seen of its sender ({@link SenderHistory}, leaving out the message trained under
     * {@code messageKey}, null when classifying).
     */
    private Features features(String user, MailContent content, SessionFacts session, String messageKey,
                              long[] senderHistory) {
        LongSet set = LongSet.forThisThread();
        LongSet headers = headerModel() ? LongSet.headersForThisThread() : null;
        for (long h : senderHistory != null ? senderHistory
            : SenderHistory.features(store, user, settings.shareWithGlobal(), content, messageKey)) {
            for (int i = 0; i < FeatureExtractor.BOOST; i++) {
                set.add(i == 0 ? h : FeatureExtractor.copyHash(h, i));
                if (headers != null) {
                    headers.add(i == 0 ? h : FeatureExtractor.copyHash(h, i));
                }
            }
        }
        List<EmittedFeatures.Fact> facts = new ArrayList<>();
        EmittedFeatures emitted = emitted(content, session);
        int nextFact = 0;
        for (int i = 0; i < emitted.count(); i++) {
            long hash = emitted.hash(i);
            if (nextFact < emitted.facts().size() && emitted.factAt(nextFact) == i) {
                if (set.add(hash)) {
                    facts.add(emitted.facts().get(nextFact));
                }
                nextFact++;
            } else {
                set.add(hash);
            }
        }
        if (headers == null) {
            return new Features(set.toArray(), facts, emitted, new long[0]);
        }
        emitted.headerModelFeatures(headers);
        return new Features(set.toArray(), facts, emitted, headers.toArray());
    }

    /**
     * What the extractor gives {@code content}: the same for every recipient (only the sender history is per user),
     * so a message's later recipients, sorted one after the other on the delivering thread, replay the first one's
     * rather than tokenizing the message again. One message per thread is kept, its content weakly (the Strings
     * its features are named from strongly, until the thread's next message), in arrays the next message reuses.
     * Only the thread that made it reads it, within one call: a replay is of what this thread extracted.
     */
    private EmittedFeatures emitted(MailContent content, SessionFacts session) {
        EmittedFeatures last = lastEmitted.get();
        if (last.isFor(content, session)) {
            return last;
        }
        last.clear();
        extractor.extract(content, session, last);
        last.completed(content, session);
        return last;
    }

    private final ThreadLocal<EmittedFeatures> lastEmitted = ThreadLocal.withInitial(EmittedFeatures::new);

    /** Whether {@link #model} would find no training for {@code user}: the same totals it looks at. */
    private boolean untrained(String user) {
        return store.totals(TokenStore.GLOBAL).messages() == 0
            && (TokenStore.GLOBAL.equals(user) || store.totals(user).messages() == 0);
    }

    private Model model(String user, long[] tokens) {
        TokenStore.Totals globalTotals = store.totals(TokenStore.GLOBAL);
        TokenStore.TokenStats global = globalTotals.messages() > 0 ? store.read(TokenStore.GLOBAL, tokens) : null;
        boolean personal = !TokenStore.GLOBAL.equals(user);
        TokenStore.Totals userTotals = personal ? store.totals(user) : TokenStore.Totals.EMPTY;
        TokenStore.TokenStats own = userTotals.messages() > 0 ? store.read(user, tokens) : null;
        return new Model(globalTotals, global, userTotals, own, settings.bayesWeight(),
            settings.shareWithGlobal());
    }

    /** The message's distinct tokens as the model weighs them, its facts among them, and how to name them. */
    private record Features(long[] tokens, List<EmittedFeatures.Fact> facts, EmittedFeatures emitted,
                            long[] headerTokens) {
    }

    /** The global and the user's weights of one message's tokens. */
    private record Model(TokenStore.Totals globalTotals, TokenStore.TokenStats global, TokenStore.Totals userTotals,
                         TokenStore.TokenStats own, double bayesWeight,
                         boolean sharedCounts) {

        boolean untrained() {
            return global == null && own == null;
        }

        double weight(int i) {
            return (global == null ? 0 : global.weights()[i]) + (own == null ? 0 : own.weights()[i]);
        }

        double logOdds(int tokenCount) {
            return regressionLogOdds(tokenCount) + (bayesWeight == 0 ? 0 : bayesWeight * bayesLogOdds());
        }

        /**
         * Naive Bayes over the global counts (a user's verdicts are in them when shared with the global model; a
         * user's own counts are added only when they are not, so nothing is counted twice).
         */
        double bayesLogOdds() {
            TokenStore.TokenStats counts = global != null ? global : own;
            int spamTotal = global != null ? globalTotals.spamMessages() : 0;
            int hamTotal = global != null ? globalTotals.hamMessages() : 0;
            if (own != null && global != null && !sharedCounts()) {
                int[] spam = counts.spam().clone();
                int[] ham = counts.ham().clone();
                for (int i = 0; i < spam.length; i++) {
                    spam[i] += own.spam()[i];
                    ham[i] += own.ham()[i];
                }
                counts = new TokenStore.TokenStats(counts.weights(), spam, ham);
            }
            if (own != null && (global == null || !sharedCounts())) {
                spamTotal += userTotals.spamMessages();
                hamTotal += userTotals.hamMessages();
            }
            return NaiveBayesEvidence.logOdds(counts.spam(), counts.ham(), spamTotal, hamTotal);
        }

        double regressionLogOdds(int tokenCount) {
            double sum = 0;
            int n = global != null ? global.weights().length : own.weights().length;
            for (int i = 0; i < n; i++) {
                sum += weight(i);
            }
            return globalTotals.bias() + userTotals.bias() + sum * scale(tokenCount);
        }
    }
}
