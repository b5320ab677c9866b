import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JFR recording's CPU samples went (jdk.ExecutionSample), for the benchmarks' profiles:
 *
 * <pre>java bench/JfrTop.java RECORDING.jfr [TOP] [PREFIX...]
 * java bench/JfrTop.java RECORDING.jfr TOP --under CLASS.METHOD     # what the samples inside that method called
 * java bench/JfrTop.java RECORDING.jfr TOP --callers CLASS.METHOD   # who called it
 * JFR_THREADS='smtp-inbound-\d+' java bench/JfrTop.java ...          # only the samples of threads matching the regex</pre>
 *
 * prints the hottest top frames (self), the hottest methods counted once per stack (inclusive), the threads, and for
 * each PREFIX (e.g. org.apache.derby, org.mailroom.sorter) the share of stacks that contain a frame starting with
 * it. Percentages are of all samples. Read with the JDK's own consumer API (run with the JDK's single-file launcher).
 */
public class JfrTop {
    public static void main(String[] args) throws Exception {
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        List<String> prefixes = args.length > 2 ? List.of(args).subList(2, args.length) : List.of();
        String under = prefixes.size() == 2 && prefixes.get(0).startsWith("--") ? prefixes.get(1) : null;
        boolean callers = under != null && prefixes.get(0).equals("--callers");
        if (under != null) {
            prefixes = List.of();
        }
        Map<String, Integer> callees = new HashMap<>();
        int inside = 0;
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        Map<String, Integer> byPrefix = new HashMap<>();
        int samples = 0;
        String threadFilter = System.getenv("JFR_THREADS");
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            if (threadFilter != null) {
                var sampled = e.getThread("sampledThread");
                if (sampled == null || !String.valueOf(sampled.getJavaName()).matches(threadFilter)) {
                    continue;
                }
            }
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            samples++;
            List<String> names = new ArrayList<>();
            for (RecordedFrame f : frames) {
                names.add(f.getMethod().getType().getName() + "." + f.getMethod().getName());
            }
            self.merge(names.get(0), 1, Integer::sum);
            if (under != null) {
                int at = names.lastIndexOf(under);
                if (at >= 0) {
                    inside++;
                    if (callers) {
                        callees.merge(at == names.size() - 1 ? "(root)" : names.get(at + 1), 1, Integer::sum);
                    } else {
                        callees.merge(at == 0 ? "(self)" : names.get(at - 1), 1, Integer::sum);
                    }
                }
            }
            for (String n : new HashSet<>(names)) {
                inclusive.merge(n, 1, Integer::sum);
            }
            var thread = e.getThread("sampledThread");
            String name = thread == null ? "?" : String.valueOf(thread.getJavaName()).replaceAll("-?\\d+$", "-N");
            threads.merge(name, 1, Integer::sum);
            for (String p : prefixes) {
                if (names.stream().anyMatch(n -> n.startsWith(p))) {
                    byPrefix.merge(p, 1, Integer::sum);
                }
            }
        }
        System.out.println("samples=" + samples);
        if (under != null) {
            System.out.printf("inside %s: %d samples (%.1f%%)%n", under, inside, 100.0 * inside / Math.max(1, samples));
            show((callers ? "its callers" : "called directly by it") + " (share of all samples)", callees, top, samples);
            return;
        }
        show("top frame (self)", self, top, samples);
        show("inclusive (method anywhere in the stack)", inclusive, top * 2, samples);
        show("threads", threads, 20, samples);
        if (!prefixes.isEmpty()) {
            System.out.println("\n# inclusive by prefix");
            for (String p : prefixes) {
                int c = byPrefix.getOrDefault(p, 0);
                System.out.printf("%6.1f%%  %6d  %s%n", 100.0 * c / Math.max(1, samples), c, p);
            }
        }
    }

    private static void show(String title, Map<String, Integer> counts, int top, int samples) {
        System.out.println("\n# " + title);
        counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(top)
            .forEach(en -> System.out.printf("%6.1f%%  %6d  %s%n", 100.0 * en.getValue() / Math.max(1, samples),
                en.getValue(), en.getKey()));
    }
}
