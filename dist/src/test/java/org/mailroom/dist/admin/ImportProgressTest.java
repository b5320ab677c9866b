package org.mailroom.dist.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The import's progress on a terminal (one redrawn line) and elsewhere (a line every N messages or seconds). */
class ImportProgressTest {
    private final AtomicLong nanos = new AtomicLong();
    private final StringWriter text = new StringWriter();

    @Test
    void onATerminalOneLineIsRedrawnWithCountRateAndTimeLeft() {
        ImportProgress progress = new ImportProgress(new PrintWriter(text), true, 4_000, nanos::get);
        for (int i = 0; i < 10; i++) {
            nanos.addAndGet(100_000_000L);
            progress.advance(200);
        }
        progress.finish();
        String shown = text.toString();
        assertThat(shown).endsWith("\n");
        assertThat(shown.chars().filter(c -> c == '\n').count()).as("a single line, redrawn").isEqualTo(1);
        assertThat(shown.split("\r")).hasSizeGreaterThan(3);
        // 10 messages, 2,000 of 4,000 bytes in 1 s: 10 msg/s, 50 %, about 1 s left.
        assertThat(shown).contains("\r10 messages, 50% (2 KB of 4 KB), 10 msg/s, 0:01 left");
    }

    @Test
    void elsewhereALineEveryThousandMessagesOrTenSeconds() {
        ImportProgress progress = new ImportProgress(new PrintWriter(text), false, 3_000_000, nanos::get);
        for (int i = 0; i < 2_500; i++) {
            nanos.addAndGet(1_000_000L);
            progress.advance(1_000);
        }
        nanos.addAndGet(11_000_000_000L);
        progress.advance(1_000);
        progress.finish();
        assertThat(text.toString()).doesNotContain("\r");
        assertThat(text.toString().lines()).hasSize(3);
        assertThat(text.toString().lines().toList().get(0)).startsWith("1,000 messages, 33%");
        assertThat(text.toString().lines().toList().get(2)).startsWith("2,501 messages, 83%");
    }
}
