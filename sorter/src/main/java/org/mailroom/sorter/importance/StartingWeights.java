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
    private static final Map<String, Double> WEIGHTS = load(RESOURCE);

    private StartingWeights() {
    }

    /** The starting weight of a feature (0 for features the offline fit did not weigh). */
    static double of(String feature) {
        return WEIGHTS.getOrDefault(feature, 0.0);
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
