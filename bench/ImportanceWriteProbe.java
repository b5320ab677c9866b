import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.DatabaseSettings;
import org.mailroom.storage.sorter.JdbcImportanceState;

/**
 * CPU of the importance learner's weight write per label, for labels written one per write or several per write (the
 * learning thread's batches of user actions), on a fresh Derby database in a temporary folder:
 *
 * <pre>java -cp "dist/target/lib/*" bench/ImportanceWriteProbe.java KEYS_PER_LABEL LABELS_PER_WRITE WRITES POOL [read]</pre>
 *
 * Each label changes KEYS_PER_LABEL weights: nine in ten drawn from a pool of POOL feature keys (the features labels
 * share: the user's, the sender's, the buckets), one in ten a key not seen before. The first half of the writes is
 * not measured (the JIT). Prints this thread's CPU ms per label (the learning thread runs the write itself). With
 * {@code read}, each write is preceded by a read of its keys ({@code readWeights}, measured too), as the training
 * steps of a batch read every key they then write.
 */
public class ImportanceWriteProbe {
    public static void main(String[] args) throws Exception {
        int keysPerLabel = Integer.parseInt(args[0]);
        int labelsPerWrite = Integer.parseInt(args[1]);
        int writes = Integer.parseInt(args[2]);
        int poolSize = Integer.parseInt(args[3]);
        boolean readFirst = args.length > 4 && args[4].equals("read");
        Path dir = Files.createTempDirectory("importance-write-probe");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Random random = new Random(1);
        long[] pool = new long[poolSize];
        for (int i = 0; i < poolSize; i++) {
            pool[i] = i * 7919L + 3;
        }
        long nextNew = 1_000_000;
        long cpu = 0;
        int labels = 0;
        try (Database db = Database.open(DatabaseSettings.embedded(dir))) {
            JdbcImportanceState state = new JdbcImportanceState(db);
            int warm = writes / 2;
            for (int r = 0; r < warm + writes; r++) {
                Map<Long, double[]> changed = new LinkedHashMap<>();
                for (int l = 0; l < labelsPerWrite; l++) {
                    for (int k = 0; k < keysPerLabel; k++) {
                        long key = k % 10 == 9 ? nextNew++ : pool[random.nextInt(poolSize)];
                        changed.put(key, new double[] {random.nextDouble(), random.nextDouble()});
                    }
                }
                int n = changed.size();
                long[] keys = new long[n];
                double[] weights = new double[n];
                double[] squared = new double[n];
                int i = 0;
                for (Map.Entry<Long, double[]> e : changed.entrySet()) {
                    keys[i] = e.getKey();
                    weights[i] = e.getValue()[0];
                    squared[i] = e.getValue()[1];
                    i++;
                }
                long before = threads.getCurrentThreadCpuTime();
                if (readFirst) {
                    state.readWeights(keys, n, new double[n], new double[n]);
                }
                state.writeWeights(keys, n, weights, squared);
                if (r >= warm) {
                    cpu += threads.getCurrentThreadCpuTime() - before;
                    labels += labelsPerWrite;
                }
            }
        }
        System.out.printf("keys_per_label=%d labels_per_write=%d pool=%d read_first=%b labels=%d cpu_ms_per_label=%.3f%n",
            keysPerLabel, labelsPerWrite, poolSize, readFirst, labels, cpu / 1e6 / labels);
    }
}
