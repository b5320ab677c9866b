import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import com.sun.tools.attach.VirtualMachine;

/**
 * What a JVM's threads allocate between two moments, exactly, for the benchmarks (bench/imap_phases.py --alloc):
 *
 * <pre>java bench/AllocProbe.java PID     # prints "ready" once attached, then answers each line LABEL read from stdin</pre>
 *
 * It attaches to the JVM (same user), starts its local management agent and connects over JMX; for every LABEL it
 * prints {@code LABEL_alloc_kb=TOTAL,GROUP:KB,...}: the KB each thread group (the thread's name without its trailing
 * number) allocated since the previous line, the 8 largest, from {@code com.sun.management.ThreadMXBean
 * .getThreadAllocatedBytes} (no safepoint); the agent's own RMI and JMX threads are left out. A thread's name is
 * asked once ({@code getThreadInfo} is a VM operation, a safepoint), when it is first seen. Run with the JDK's
 * single-file launcher; written for bench/README.md's IMAP chapter, h-gc (twenty-first session).
 */
public class AllocProbe {
    public static void main(String[] args) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(args[0]);
        String address = vm.startLocalManagementAgent();
        vm.detach();
        MBeanServerConnection server = JMXConnectorFactory.connect(new JMXServiceURL(address)).getMBeanServerConnection();
        ObjectName threading = new ObjectName(ManagementFactory.THREAD_MXBEAN_NAME);
        Map<Long, String> names = new HashMap<>();
        Map<Long, Long> last = snapshot(server, threading, names);
        System.out.println("ready");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String label; (label = in.readLine()) != null; ) {
            Map<Long, Long> now = snapshot(server, threading, names);
            Map<String, Long> byGroup = new TreeMap<>();
            long total = 0;
            for (Map.Entry<Long, Long> e : now.entrySet()) {
                String name = names.getOrDefault(e.getKey(), "?");
                if (name.startsWith("RMI ") || name.startsWith("JMX ")) {
                    continue;
                }
                long delta = e.getValue() - last.getOrDefault(e.getKey(), 0L);
                if (delta > 0) {
                    byGroup.merge(name.replaceAll("[-#]?\\d+$", ""), delta, Long::sum);
                    total += delta;
                }
            }
            last = now;
            StringBuilder out = new StringBuilder(label).append("_alloc_kb=").append(total / 1024);
            byGroup.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(8)
                .forEach(e -> out.append(',').append(e.getKey().replace(' ', '_')).append(':').append(e.getValue() / 1024));
            System.out.println(out);
            System.out.flush();
        }
    }

    private static Map<Long, Long> snapshot(MBeanServerConnection server, ObjectName threading, Map<Long, String> names)
            throws Exception {
        long[] ids = (long[]) server.getAttribute(threading, "AllThreadIds");
        long[] bytes = (long[]) server.invoke(threading, "getThreadAllocatedBytes", new Object[] {ids},
            new String[] {long[].class.getName()});
        long[] unknown = java.util.Arrays.stream(ids).filter(id -> !names.containsKey(id)).toArray();
        if (unknown.length > 0) {
            // getThreadInfo is a VM operation (a safepoint): only for threads not seen before
            javax.management.openmbean.CompositeData[] infos = (javax.management.openmbean.CompositeData[]) server.invoke(
                threading, "getThreadInfo", new Object[] {unknown}, new String[] {long[].class.getName()});
            for (javax.management.openmbean.CompositeData info : infos) {
                if (info != null) {
                    ThreadInfo t = ThreadInfo.from(info);
                    names.put(t.getThreadId(), t.getThreadName());
                }
            }
        }
        Map<Long, Long> result = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {
                result.put(ids[i], bytes[i]);
            }
        }
        return result;
    }
}
