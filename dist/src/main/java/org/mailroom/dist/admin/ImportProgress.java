package org.mailroom.dist.admin;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The progress of a long import. On a terminal: one line redrawn in place ({@code \r}) at most five times a second,
 * with the count, the rate and the time left; otherwise (a log, a pipe, a command run inside the server): a line
 * every {@value #LINE_EVERY_MESSAGES} messages or {@value #LINE_EVERY_SECONDS} seconds, whichever comes first. The
 * time left is estimated from bytes, so it holds for mbox files whose message count is unknown until the end.
 */
final class ImportProgress {
    static final int LINE_EVERY_MESSAGES = 1000;
    static final int LINE_EVERY_SECONDS = 10;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintWriter out;
    private final boolean terminal;
    private final long totalBytes;
    private final LongSupplier nanoClock;
    private final long started;
    private long messages;
    private long bytes;
    private long lastShown;
    private long lastShownMessages;
    private boolean drawn;

    ImportProgress(PrintWriter out, boolean terminal, long totalBytes, LongSupplier nanoClock) {
        this.out = out;
        this.terminal = terminal;
        this.totalBytes = Math.max(1, totalBytes);
        this.nanoClock = nanoClock;
        this.started = nanoClock.getAsLong();
        this.lastShown = started;
    }

    /** One more message done, {@code size} bytes of the source. */
    void advance(long size) {
        messages++;
        bytes += size;
        long now = nanoClock.getAsLong();
        if (terminal ? now - lastShown >= REDRAW_NANOS
            : messages - lastShownMessages >= LINE_EVERY_MESSAGES || now - lastShown >= LINE_EVERY_SECONDS * 1_000_000_000L) {
            show(now);
        }
    }

    /** Ends the redrawn line, so what is printed next starts on its own line. */
    void finish() {
        if (terminal && messages > 0) {
            show(nanoClock.getAsLong());
        }
        if (drawn) {
            out.println();
            out.flush();
        }
    }

    private void show(long now) {
        lastShown = now;
        lastShownMessages = messages;
        String line = line(now);
        if (terminal) {
            // Padding wipes what a longer previous line left behind.
            out.print("\r" + line + "   ");
            drawn = true;
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** e.g. {@code 12,345 messages, 48% (310 MB of 640 MB), 812 msg/s, 0:41 left}. */
    String line(long now) {
        double seconds = Math.max(1e-3, (now - started) / 1e9);
        double fraction = Math.min(1.0, (double) bytes / totalBytes);
        long left = fraction <= 0 ? -1 : Math.round(seconds * (1 - fraction) / fraction);
        return String.format(Locale.ROOT, "%,d messages, %d%% (%s of %s), %.0f msg/s, %s left", messages,
            Math.round(fraction * 100), megabytes(bytes), megabytes(totalBytes), messages / seconds,
            left < 0 ? "?" : clock(Duration.ofSeconds(left)));
    }

    private static String megabytes(long bytes) {
        return bytes < 1024 * 1024 ? (bytes + 1023) / 1024 + " KB" : bytes / (1024 * 1024) + " MB";
    }

    private static String clock(Duration left) {
        long s = left.getSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
            : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
