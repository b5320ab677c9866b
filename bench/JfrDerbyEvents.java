import java.nio.file.Path;
import java.util.List;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Derby's own work in a JFR recording, one line per event (tab-separated: kind, epoch seconds, ms, thread, detail),
 * for matching against a benchmark's windows (bench/derby_windows.py):
 *
 * <pre>java bench/JfrDerbyEvents.java RECORDING.jfr FROM_EPOCH_S > RUN.ev.tsv</pre>
 *
 * - {@code ClassDefine} of Derby's generated statement classes ({@code org.apache.derby.exe.*}: one per statement
 *   compile), with how it came ({@code RECOMPILE-IN-EXECUTION}: Derby's {@code GenericPreparedStatement.executeStmt}
 *   compiling an invalid or stale plan inside an execution; {@code prepare}: a first prepare) and the first two
 *   Mailroom frames that ran it;
 * - {@code FileRead}/{@code FileWrite}/{@code FileForce} of the database's {@code seg0} (pages) and {@code log} files;
 * - monitor waits and enters and parks of Mailroom's and Derby's threads with a Derby frame on the stack.
 *
 * Record with {@code -XX:StartFlightRecording=name=derby,settings=bench/derby-work.jfc}, which enables {@code jdk.ClassDefine}
 * (stack traces on), {@code jdk.FileRead}/{@code jdk.FileWrite}/{@code jdk.FileForce} (threshold 0 ms) and the wait
 * events (threshold 1 ms) (bench/README.md, IMAP, "h-stale", twenty-first session).
 */
public class JfrDerbyEvents {
    public static void main(String[] a) throws Exception {
        double from = Double.parseDouble(a[1]);
        try (RecordingFile f = new RecordingFile(Path.of(a[0]))) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                double t = e.getStartTime().getEpochSecond() + e.getStartTime().getNano() / 1e9;
                if (t < from) continue;
                String kind = e.getEventType().getName();
                String thread = e.getThread() == null ? "?" : e.getThread().getJavaName();
                double ms = e.getDuration().toNanos() / 1e6;
                String detail;
                switch (kind) {
                    case "jdk.ClassDefine": {
                        String n = e.getClass("definedClass").getName();
                        if (!n.startsWith("org.apache.derby.exe")) continue;
                        detail = n + " " + why(e);
                        break;
                    }
                    case "jdk.FileRead": case "jdk.FileWrite": case "jdk.FileForce": {
                        String p = e.getString("path");
                        if (p == null || !(p.contains("/seg0/") || p.contains("/log/"))) continue;
                        detail = p.replaceAll(".*/(seg0|log)/", "$1/") + (kind.equals("jdk.FileForce") ? "" : " " + e.getLong(kind.equals("jdk.FileRead") ? "bytesRead" : "bytesWritten")) + " " + top(e, 6);
                        break;
                    }
                    default: {
                        if (!thread.matches("(imap-io|boundedElastic|mailroom|reactor|smtp|derby).*")) continue;
                        if (!derby(e)) continue;
                        detail = top(e, 8);
                    }
                }
                System.out.printf("%s\t%.6f\t%.3f\t%s\t%s%n", kind.substring(4), t, ms, thread, detail);
            }
        }
    }

    static String why(RecordedEvent e) {
        if (e.getStackTrace() == null) return "?";
        List<RecordedFrame> fr = e.getStackTrace().getFrames();
        StringBuilder s = new StringBuilder();
        boolean rePrepare = false, execute = false;
        String ours = "";
        for (RecordedFrame f : fr) {
            String m = f.getMethod().getType().getName() + "." + f.getMethod().getName();
            if (m.endsWith("GenericPreparedStatement.rePrepare")) rePrepare = true;
            if (m.endsWith("GenericPreparedStatement.executeStmt")) execute = true;
            if (m.startsWith("org.mailroom") && !m.contains("storage.schema.Cached") && !m.contains("storage.schema.Database.") && ours.split(" ").length < 2) ours = (ours + " " + m.replaceAll(".*\\.([A-Za-z0-9]+\\.[a-zA-Z0-9$]+)$", "$1")).trim();
        }
        String how = rePrepare && execute ? "RECOMPILE-IN-EXECUTION" : rePrepare ? "reprepare" : "prepare";
        return how + " " + ours;
    }

    static boolean derby(RecordedEvent e) {
        if (e.getStackTrace() == null) return false;
        for (RecordedFrame f : e.getStackTrace().getFrames()) if (f.getMethod().getType().getName().startsWith("org.apache.derby")) return true;
        return false;
    }

    static String top(RecordedEvent e, int n) {
        if (e.getStackTrace() == null) return "";
        StringBuilder s = new StringBuilder();
        for (RecordedFrame f : e.getStackTrace().getFrames()) {
            String m = f.getMethod().getType().getName().replaceAll(".*\\.", "") + "." + f.getMethod().getName();
            if (s.length() > 0) s.append(" < ");
            s.append(m);
            if (--n == 0) break;
        }
        return s.toString();
    }
}
