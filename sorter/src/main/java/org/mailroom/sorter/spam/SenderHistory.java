package org.mailroom.sorter.spam;

import java.util.List;
import java.util.Optional;

import org.mailroom.sorter.message.MailAddress;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.spam.signals.Domains;

/**
 * Whether the sender was trained before, and as what: a feature of the message <em>and</em> of what the model has
 * seen, read from the spam/ham message counts the store keeps for the {@code from:} and {@code fromdom:} tokens.
 * It separates the two groups the words cannot (sorter/README.md, "Spam"): spam posted to a mailing list the user
 * reads comes from an address never seen before, while the list's ham comes from its regulars; and the commercial
 * newsletters a user subscribed to come from a sender already trained as ham. The address's own weight cannot say
 * "never seen" (an unknown token weighs 0); this feature can, and its weight is learned like any other.
 *
 * <p>The history is the global counts, plus the user's own when they are not shared with the global model. A
 * message already trained is left out of its own history (its record says with which label), so the later passes
 * of bulk training and a correction see the history the message had when it arrived. The feature's hash is kept in
 * the message's training record like every token, so an undo stays exact.
 */
final class SenderHistory {
    private static final String[] BUCKETS = {"new", "ham", "spam", "both"};
    static final long[] ADDRESS = hashes("senderseen");
    static final long[] DOMAIN = hashes("senderdomseen");

    private SenderHistory() {
    }

    private static long[] hashes(String prefix) {
        long[] out = new long[BUCKETS.length];
        for (int i = 0; i < BUCKETS.length; i++) {
            out[i] = FeatureHash.of(prefix, BUCKETS[i]);
        }
        return out;
    }

    /** The name of a history feature or of one of its boosted copies, for explanations. */
    static Optional<String> name(long hash) {
        for (int i = 0; i < BUCKETS.length; i++) {
            for (int copy = 0; copy < FeatureExtractor.BOOST; copy++) {
                if (hash == (copy == 0 ? ADDRESS[i] : FeatureExtractor.copyHash(ADDRESS[i], copy))) {
                    return Optional.of("senderseen:" + BUCKETS[i]);
                }
                if (hash == (copy == 0 ? DOMAIN[i] : FeatureExtractor.copyHash(DOMAIN[i], copy))) {
                    return Optional.of("senderdomseen:" + BUCKETS[i]);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The history features of {@code content}'s sender as {@code user} sees the model ({@link TokenStore#GLOBAL}
     * for the global model), leaving out the message trained under {@code messageKey} (null when it is new).
     */
    static long[] features(TokenStore store, String user, boolean shared, MailContent content, String messageKey) {
        long[] keys = keys(content);
        if (keys.length == 0) {
            return keys;
        }
        int[] spam = new int[2];
        int[] ham = new int[2];
        add(store, TokenStore.GLOBAL, keys, messageKey, spam, ham);
        if (!TokenStore.GLOBAL.equals(user) && !shared) {
            add(store, user, keys, messageKey, spam, ham);
        }
        return new long[] {ADDRESS[bucket(spam[0], ham[0])], DOMAIN[bucket(spam[1], ham[1])]};
    }

    /** The tokens whose counts are the history: the From address's and its organisational domain's (or none). */
    static long[] keys(MailContent content) {
        List<MailAddress> from = content.from();
        if (from.isEmpty() || from.get(0).address().isEmpty()) {
            return new long[0];
        }
        MailAddress sender = from.get(0);
        return new long[] {FeatureHash.of("from", sender.address()),
            FeatureHash.of("fromdom", Domains.organisational(sender.domain()))};
    }

    private static void add(TokenStore store, String scope, long[] keys, String messageKey, int[] spam, int[] ham) {
        if (store.totals(scope).messages() == 0) {
            return;
        }
        TokenStore.TokenStats stats = store.read(scope, keys);
        Optional<TokenStore.TrainingRecord> own = messageKey == null ? Optional.empty()
            : store.record(scope, messageKey);
        for (int i = 0; i < keys.length; i++) {
            spam[i] += stats.spam()[i];
            ham[i] += stats.ham()[i];
            if (own.isPresent() && contains(own.get().tokens(), keys[i])) {
                if (own.get().spam()) {
                    spam[i]--;
                } else {
                    ham[i]--;
                }
            }
        }
    }

    private static boolean contains(long[] tokens, long key) {
        for (long t : tokens) {
            if (t == key) {
                return true;
            }
        }
        return false;
    }

    private static int bucket(int spam, int ham) {
        return spam <= 0 ? (ham <= 0 ? 0 : 1) : (ham <= 0 ? 2 : 3);
    }
}
