package org.mailroom.sorter.importance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * What the model believes before it has seen a single label of a user: log-odds weights for the behaviour features
 * (how often the user answers and writes to the sender, the thread and the user's part in it, the addressing, the
 * recipients, automated senders, questions...; never words or addresses), fitted offline by a batch logistic
 * regression on the development replay's users ({@code starting-weights.tsv}, made by
 * {@code bench/fit-importance-start.py}). The learned weights are corrections on top, so a new server sorts like
 * a model that has seen many mailboxes from the first message, and the per-user weights adjust it.
 */
final class StartingWeights {

    static final String RESOURCE = System.getProperty("mailroom.importance.startingWeights", "starting-weights.tsv");
    private static final ByNameHash WEIGHTS = new ByNameHash(load(RESOURCE));

    private StartingWeights() {
    }

    /** The starting weight of a feature (0 for features the offline fit did not weigh). */
    static double of(String feature) {
        return ofHash(FeatureHashing.fnv(feature));
    }

    /**
     * {@link #of} the feature whose name's {@link FeatureHashing#fnv} is {@code nameFnv}: every decision looks up
     * each of its features, whose names are new strings each time, so a map by name hashed and compared every name
     * twice more (1.3 % of an SMTP delivery's CPU); the layout has the name's FNV hash already. Two names with the
     * same 64-bit hash would share a starting weight, as they share their learned weights' keys.
     */
    static double ofHash(long nameFnv) {
        return WEIGHTS.get(nameFnv);
    }

    /** The weights by their name's FNV hash: open addressing over two arrays, read-only once built. */
    private static final class ByNameHash {
        private final long[] hashes;
        private final double[] weights;
        private final boolean[] used;

        ByNameHash(Map<String, Double> byName) {
            int capacity = Integer.highestOneBit(Math.max(16, byName.size() * 4) - 1) << 1;
            hashes = new long[capacity];
            weights = new double[capacity];
            used = new boolean[capacity];
            byName.forEach((name, weight) -> {
                long hash = FeatureHashing.fnv(name);
                int i = slot(hash);
                while (used[i] && hashes[i] != hash) {
                    i = (i + 1) & (capacity - 1);
                }
                used[i] = true;
                hashes[i] = hash;
                weights[i] = weight;
            });
        }

        double get(long hash) {
            for (int i = slot(hash); used[i]; i = (i + 1) & (hashes.length - 1)) {
                if (hashes[i] == hash) {
                    return weights[i];
                }
            }
            return 0.0;
        }

        private int slot(long hash) {
            return (int) (hash ^ (hash >>> 32)) * 0x9E3779B9 >>> 1 & (hashes.length - 1);
        }
    }

    /** Reads {@code name\tweight} lines; {@code #} starts a comment. */
    static Map<String, Double> load(String resource) {
        Map<String, Double> weights = new HashMap<>();
        InputStream in = resource.startsWith("/") ? open(resource) : StartingWeights.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("importance starting weights " + resource + " missing from the class path");
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cols = line.split("\t");
                if (cols.length != 2) {
                    throw new IllegalStateException(resource + ":" + number + ": expected name<TAB>weight");
                }
                weights.put(cols[0], Double.parseDouble(cols[1]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(weights);
    }

    private static InputStream open(String path) {
        try {
            return new java.io.FileInputStream(path);
        } catch (IOException e) {
            return null;
        }
    }
}
