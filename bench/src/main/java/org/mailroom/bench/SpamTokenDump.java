package org.mailroom.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.spam.SpamFilter;
import org.mailroom.sorter.spam.SpamModelSettings;
import org.mailroom.sorter.spam.TokenStore;

/**
 * {@code -Dspam.dumpTokens=FILE} (CV only): every dev message's features as the spam models weigh them, so other
 * learners can be trained offline on exactly the benchmark's folds (bench/spam-batch-study.py). One tab-separated
 * line per message, a header line first: {@code path}, {@code spam} (1/0), {@code fold} (the CV fold that holds it
 * out), {@code history} (the sender-history features as each fold's trained model gives them: for fold j, hashes
 * comma-separated, folds separated by {@code |}; in its own fold what classifying it sees, in the others what its
 * training step saw, itself left out), {@code tokens} (the main model's other features) and {@code headers} (the
 * header model's), hashes in hex separated by spaces. Every feature is binary; the main model's vector of a message
 * in fold j is {@code history[j] ∪ tokens} scaled to unit length, the header model's {@code history[j] ∪ headers}.
 * {@code FILE.names} names each hash ({@code hash TAB name}; a feature's copies share a name).
 */
final class SpamTokenDump {
    private final List<SpamQualityBenchmark.Labelled> dev;
    private final int folds;
    private final SpamFilter.StudyFeatures[] features;
    private final Map<String, String[]> histories = new ConcurrentHashMap<>();
    private final Map<Long, String> names = new ConcurrentHashMap<>();

    SpamTokenDump(List<SpamQualityBenchmark.Labelled> dev, int folds, SpamModelSettings settings) {
        this.dev = dev;
        this.folds = folds;
        // The extractor's output does not depend on training: once per message, by an untrained filter.
        SpamFilter extractor = new SpamFilter(new org.mailroom.sorter.spam.InMemoryTokenStore(), settings);
        features = new SpamFilter.StudyFeatures[dev.size()];
        for (int i = 0; i < dev.size(); i++) {
            features[i] = extractor.studyFeatures(dev.get(i).content(), SessionFacts.none());
            names.putAll(features[i].names());
        }
    }

    /**
     * Records the sender history of every dev message in {@code fold}'s trained model ({@code filter}): the
     * training messages under the keys {@code BulkTraining} trained them with (their paths), so each is left out of
     * its own history.
     */
    void histories(int fold, SpamFilter filter, List<SpamQualityBenchmark.Labelled> train,
                   List<SpamQualityBenchmark.Labelled> test) {
        for (List<SpamQualityBenchmark.Labelled> part : List.of(train, test)) {
            for (SpamQualityBenchmark.Labelled l : part) {
                Map<Long, String> history = filter.studySenderHistory(TokenStore.GLOBAL, l.path(), l.content());
                names.putAll(history);
                StringBuilder hex = new StringBuilder();
                history.keySet().forEach(h -> hex.append(hex.isEmpty() ? "" : ",").append(Long.toHexString(h)));
                histories.computeIfAbsent(l.path(), p -> new String[folds])[fold] = hex.toString();
            }
        }
    }

    void write(Path file) {
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            out.write("path\tspam\tfold\thistory\ttokens\theaders\n");
            for (int i = 0; i < dev.size(); i++) {
                SpamQualityBenchmark.Labelled l = dev.get(i);
                out.write(l.path() + "\t" + (l.spam() ? 1 : 0) + "\t" + i % folds + "\t"
                    + String.join("|", histories.get(l.path())) + "\t" + hex(features[i].tokens()) + "\t"
                    + hex(features[i].headerTokens()) + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (BufferedWriter out = Files.newBufferedWriter(Path.of(file + ".names"))) {
            for (Map.Entry<Long, String> e : names.entrySet()) {
                out.write(Long.toHexString(e.getKey()) + "\t" + e.getValue().replaceAll("[\t\r\n]", " ") + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hex(long[] hashes) {
        StringBuilder out = new StringBuilder(hashes.length * 17);
        for (long h : hashes) {
            out.append(out.isEmpty() ? "" : " ").append(Long.toHexString(h));
        }
        return out.toString();
    }
}
