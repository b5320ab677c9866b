import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * The mixed load's CPU samples by thread group and by IMAP command, from a JFR recording of a
 * {@code bench/run-imap-cpu.sh --mix --jfr FILE} window:
 *
 * <pre>java bench/JfrMixKinds.java RECORDING.jfr</pre>
 *
 * Each jdk.ExecutionSample goes to its thread's group (imap-io, boundedElastic, the learning thread, ...) and to the
 * first command kind, in the order below, one of whose marker methods is on its stack (class or method names of the
 * command's own code, as h-imapcmd's table in bench/README.md used them); "other" is a sample with none of them
 * (Netty, TLS, James's per-command plumbing, Reactor, event dispatch). Divide a line's samples by that command's count
 * in the window (the run's round&lt;R&gt;_cmd_* lines) to compare commands. JFR sees Java code only: the JIT compiler
 * threads and the kernel are not in it.
 */
public class JfrMixKinds {
    private static final String[][] KINDS = {
        {"SEARCH SUBJECT", "HeaderPrefilterSearchIndex", "HeaderFieldMatcher", "HeaderBytesCache"},
        {"EXPUNGE", "retrieveMessagesMarkedForDeletion", "runPredeletionHooks", "deleteMessages", "ExpungeProcessor"},
        {"STORE", "updateFlags", "StoreProcessor"},
        {"APPEND", "writeAppends", "GroupCommit", "appendMessage", "AppendProcessor"},
        {"SEARCH flags/ALL", "FlagOnlySearchIndex", "listAllMessageUids", "SearchProcessor"},
        {"FETCH body", "visitContentRows", "WholeMessageFetch", "visitSmallMessageWithoutWaiting"},
        {"FETCH flags", "visitMetadataRows", "MetadataFetch"},
        {"NOOP", "NoopProcessor"},
    };

    public static void main(String[] args) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        int total = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                continue;
            }
            total++;
            counts.merge(group(event.getThread("sampledThread")) + " / " + kind(event.getStackTrace().getFrames()), 1,
                Integer::sum);
        }
        System.out.println("samples=" + total);
        int all = total;
        counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
            .forEach(e -> System.out.printf("%6.1f%% %6d  %s%n", 100.0 * e.getValue() / all, e.getValue(), e.getKey()));
    }

    private static String group(RecordedThread thread) {
        String name = thread == null || thread.getJavaName() == null ? "?" : thread.getJavaName();
        return name.replaceAll("(-\\d+)+-?$", "");
    }

    private static String kind(List<RecordedFrame> frames) {
        for (String[] kind : KINDS) {
            for (RecordedFrame frame : frames) {
                String method = frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
                for (int i = 1; i < kind.length; i++) {
                    if (method.contains(kind[i])) {
                        return kind[0];
                    }
                }
            }
        }
        return "other";
    }
}
