package org.mailroom.sorter.spam;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailContent;

/**
 * The extractor's output for one message in the order it came: feature hashes (duplicates included), the facts
 * among them, and where each feature's name can be found again. Replayed in that order into the feature set, it
 * gives the very tokens, in the very order (so the very floating-point sums), that extracting again would.
 *
 * <p>Names are what the spam reason quotes ({@code "b:click here"}). Building one per feature would cost a String
 * per word; extracting the whole message a second time to name three of them was a quarter of a trained decision.
 * So the first pass keeps only references it already has: for a header, delivery or structure feature its prefix
 * and value (the Strings it was hashed from), for a word or word pair the text it was read from and where that
 * text's features begin. {@link #names} then spells a feature out from its first occurrence: a header feature at
 * once, a word by tokenizing again only the one text it came from, up to the word (the same spelling the full
 * second pass gave: each name is its hash's first spelling).
 */
final class EmittedFeatures implements FeatureExtractor.Sink {
    /** A structure check's fact among the features: its hash, the check's key and its reason. */
    record Fact(long hash, String key, String reason) {
    }

    /** The message these features are of; null while they are being extracted (or extraction failed). */
    private WeakReference<MailContent> content;
    private SessionFacts session;
    private long[] hashes = new long[512];
    private int count;
    private final List<Fact> facts = new ArrayList<>();
    private int[] factAt = new int[8];
    /** Features emitted with a name: their index, prefix and value, in emission order. */
    private int[] namedAt = new int[64];
    private String[] namedPrefix = new String[64];
    private String[] namedValue = new String[64];
    private int named;
    /** Texts the tokenizer read: the index of their first feature, their prefix, text and length read. */
    private int[] textAt = new int[8];
    private String[] textPrefix = new String[8];
    private String[] texts = new String[8];
    private int[] textMaxChars = new int[8];
    private int textCount;

    /**
     * Empties this for another message's features, keeping the arrays at the size they grew to: a 50 KB message
     * emits thousands of hashes, and growing a fresh array to that size was ~130 KB of garbage per message (each
     * young collection is a pause inside some message's classification). Not for nested use on one thread.
     */
    void clear() {
        content = null;
        session = null;
        count = 0;
        facts.clear();
        // The Strings of the last message are let go of (up to its text, bounded by the parser's text limit).
        Arrays.fill(namedPrefix, 0, named, null);
        Arrays.fill(namedValue, 0, named, null);
        named = 0;
        Arrays.fill(textPrefix, 0, textCount, null);
        Arrays.fill(texts, 0, textCount, null);
        textCount = 0;
    }

    /** Marks what was emitted since {@link #clear} as the complete output for {@code content} in {@code session}. */
    void completed(MailContent content, SessionFacts session) {
        this.content = new WeakReference<>(content);
        this.session = session;
    }

    /** Whether this is the output for {@code content} (the same instance) as seen in {@code session}. */
    boolean isFor(MailContent content, SessionFacts session) {
        return this.content != null && this.content.get() == content && this.session.equals(session);
    }

    int count() {
        return count;
    }

    long hash(int i) {
        return hashes[i];
    }

    List<Fact> facts() {
        return facts;
    }

    /** The emission index of the {@code k}-th fact. */
    int factAt(int k) {
        return factAt[k];
    }

    /**
     * Adds the features the header model weighs ({@code SpamFilter}): the facts, every named feature (header,
     * delivery and structure features, with their copies) and the subject's words and pairs; not the body's words,
     * nor the words of other headers (with them the header model did worse under cross-validation).
     */
    void headerModelFeatures(LongSet out) {
        for (int k = 0; k < facts.size(); k++) {
            out.add(hashes[factAt[k]]);
        }
        for (int k = 0; k < named; k++) {
            out.add(hashes[namedAt[k]]);
        }
        for (int t = 0; t < textCount; t++) {
            if (FeatureExtractor.SUBJECT.equals(textPrefix[t])) {
                int end = t + 1 < textCount ? textAt[t + 1] : count;
                for (int k = 0; k < named; k++) {
                    if (namedAt[k] >= textAt[t]) {
                        end = Math.min(end, namedAt[k]);
                        break;
                    }
                }
                for (int i = textAt[t]; i < end; i++) {
                    out.add(hashes[i]);
                }
            }
        }
    }

    @Override
    public void feature(long hash) {
        if (count == hashes.length) {
            hashes = Arrays.copyOf(hashes, count * 2);
        }
        hashes[count++] = hash;
    }

    @Override
    public void feature(long hash, String prefix, String value) {
        if (named == namedAt.length) {
            namedAt = Arrays.copyOf(namedAt, named * 2);
            namedPrefix = Arrays.copyOf(namedPrefix, named * 2);
            namedValue = Arrays.copyOf(namedValue, named * 2);
        }
        namedAt[named] = count;
        namedPrefix[named] = prefix;
        namedValue[named] = value;
        named++;
        feature(hash);
    }

    @Override
    public void words(String prefix, String text, int maxChars) {
        if (textCount == textAt.length) {
            textAt = Arrays.copyOf(textAt, textCount * 2);
            textPrefix = Arrays.copyOf(textPrefix, textCount * 2);
            texts = Arrays.copyOf(texts, textCount * 2);
            textMaxChars = Arrays.copyOf(textMaxChars, textCount * 2);
        }
        textAt[textCount] = count;
        textPrefix[textCount] = prefix;
        texts[textCount] = text;
        textMaxChars[textCount] = maxChars;
        textCount++;
    }

    @Override
    public void fact(long hash, String key, String reason) {
        if (facts.size() == factAt.length) {
            factAt = Arrays.copyOf(factAt, factAt.length * 2);
        }
        factAt[facts.size()] = count;
        facts.add(new Fact(hash, key, reason));
        feature(hash);
    }

    /**
     * The names of {@code wanted} (each its hash's first spelling in extraction order; a fact's is its reason), null
     * for a hash this message did not emit.
     */
    String[] names(long[] wanted) {
        String[] names = new String[wanted.length];
        int[] first = new int[wanted.length];
        Arrays.fill(first, -1);
        int unfound = wanted.length;
        for (int i = 0; i < count && unfound > 0; i++) {
            for (int w = 0; w < wanted.length; w++) {
                if (first[w] < 0 && hashes[i] == wanted[w]) {
                    first[w] = i;
                    unfound--;
                }
            }
        }
        int[] text = new int[wanted.length];
        Arrays.fill(text, -1);
        for (int w = 0; w < wanted.length; w++) {
            if (first[w] < 0) {
                continue;
            }
            int n = Arrays.binarySearch(namedAt, 0, named, first[w]);
            int f = factIndex(first[w]);
            if (n >= 0) {
                names[w] = namedPrefix[n] + ":" + namedValue[n];
            } else if (f >= 0) {
                names[w] = facts.get(f).reason();
            } else {
                text[w] = textOf(first[w]);
            }
        }
        for (int w = 0; w < wanted.length; w++) {
            if (text[w] >= 0 && names[w] == null) {
                nameWords(text[w], wanted, text, names);
            }
        }
        return names;
    }

    private int factIndex(int at) {
        for (int k = 0; k < facts.size(); k++) {
            if (factAt[k] == at) {
                return k;
            }
        }
        return -1;
    }

    /** The text whose features include index {@code at}: the last one that began at or before it. */
    private int textOf(int at) {
        int t = Arrays.binarySearch(textAt, 0, textCount, at);
        if (t < 0) {
            t = -t - 2;
        } else {
            // Texts with no words begin where the next one does: the features are the last of them's.
            while (t + 1 < textCount && textAt[t + 1] == at) {
                t++;
            }
        }
        return t;
    }

    /**
     * Tokenizes text {@code t} again, naming the wanted hashes first seen there ({@code text[w] == t}), and stops
     * once all of them are named.
     */
    private void nameWords(int t, long[] wanted, int[] text, String[] names) {
        int[] left = {0};
        for (int w = 0; w < wanted.length; w++) {
            if (text[w] == t && names[w] == null) {
                left[0]++;
            }
        }
        try {
            FeatureExtractor.words(textPrefix[t], texts[t], textMaxChars[t], new FeatureExtractor.NamingSink() {
                @Override
                public void feature(long hash) {
                }

                @Override
                public boolean wantsName(long hash) {
                    for (int w = 0; w < wanted.length; w++) {
                        if (wanted[w] == hash && text[w] == t && names[w] == null) {
                            return true;
                        }
                    }
                    return false;
                }

                @Override
                public void name(long hash, String name) {
                    for (int w = 0; w < wanted.length; w++) {
                        if (wanted[w] == hash && text[w] == t && names[w] == null) {
                            names[w] = name;
                            left[0]--;
                        }
                    }
                    if (left[0] == 0) {
                        // The rest of this text's words would only be hashed and thrown away.
                        throw AllNamed.INSTANCE;
                    }
                }
            });
        } catch (AllNamed done) {
            // the names are complete
        }
    }

    /** Ends a naming pass early; stackless and shared, it costs no more than a return. */
    private static final class AllNamed extends RuntimeException {
        static final AllNamed INSTANCE = new AllNamed();

        private AllNamed() {
            super(null, null, false, false);
        }
    }
}
