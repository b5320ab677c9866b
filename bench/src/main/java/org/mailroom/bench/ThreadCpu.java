package org.mailroom.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of this JVM's threads grouped by kind (JIT compiler, garbage collector, the rest), read from Linux's
 * {@code /proc/self/task}: on a shared machine the process CPU per operation is the figure to compare, and this
 * says how much of it was the JVM warming up or collecting rather than the code measured. Empty where /proc is absent.
 */
final class ThreadCpu {
    private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ is 100 on Linux

    private ThreadCpu() {
    }

    static Map<String, Long> byGroup() {
        Map<String, Long> groups = new TreeMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return groups;
        }
        try (Stream<Path> list = Files.list(tasks)) {
            for (Path task : list.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(stat.indexOf('(') + 1, close);
                    String[] fields = stat.substring(close + 2).split(" ");
                    // Fields after the name: state is index 0, utime 11, stime 12 (proc(5) numbers 14 and 15).
                    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    groups.merge(group(name), ticks * NANOS_PER_TICK, Long::sum);
                } catch (IOException | RuntimeException e) {
                    // The thread ended between the listing and the read: its time is gone from both snapshots' view.
                }
            }
        } catch (IOException e) {
            return groups;
        }
        return groups;
    }

    static Map<String, Long> difference(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> result = new TreeMap<>();
        after.forEach((group, nanos) -> result.put(group, nanos - before.getOrDefault(group, 0L)));
        return result;
    }

    private static String group(String threadName) {
        if (threadName.startsWith("C1 CompilerThre") || threadName.startsWith("C2 CompilerThre")) {
            return "jit";
        }
        if (threadName.startsWith("GC ") || threadName.startsWith("G1 ") || threadName.startsWith("VM Thread")) {
            return "gc";
        }
        return "app";
    }
}
