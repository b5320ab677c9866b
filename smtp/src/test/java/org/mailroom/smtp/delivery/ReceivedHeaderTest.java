package org.mailroom.smtp.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

class ReceivedHeaderTest {

    /** What the header's date was before the per-second reuse: formatted for every message. */
    private static String formattedNow(Clock clock) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(clock));
    }

    /** What clean() was before the loop: a stream over the code points. */
    private static String streamClean(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(255)
            .map(c -> c > 32 && c < 127 && c != '(' && c != ')' && c != ';' ? c : '_')
            .forEach(out::appendCodePoint);
        return out.toString();
    }

    @Test
    void cleanAgreesWithTheStreamFormOnRandomText() {
        Random random = new Random(4);
        char[] alphabet = {'a', 'Z', '0', '.', '-', '(', ')', ';', ' ', '\t', '\r', '\n', '\u007f', '\u00e9', '\u0130',
            '\ud83d', '\ude00', '\u0000', '['};
        for (int n = 0; n < 50_000; n++) {
            int length = random.nextInt(n % 100 == 0 ? 600 : 40);
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < length; i++) {
                text.append(alphabet[random.nextInt(alphabet.length)]);
            }
            assertEquals(streamClean(text.toString()), ReceivedHeader.clean(text.toString()), text.toString());
        }
        String smiles = "\ud83d\ude00".repeat(300);
        assertEquals(streamClean(smiles), ReceivedHeader.clean(smiles));
        assertEquals(255, ReceivedHeader.clean("x".repeat(400)).length());
        assertEquals("mx.example.org", ReceivedHeader.clean("mx.example.org"));
    }

    @Test
    void dateIsTheClocksSecondInItsZone() {
        Instant at = Instant.parse("2026-11-30T03:05:19.250Z");
        for (ZoneId zone : List.of(ZoneOffset.UTC, ZoneId.of("Europe/Paris"), ZoneId.of("America/St_Johns"))) {
            for (long step = 0; step < 3_000; step += 7) {
                Clock clock = Clock.fixed(at.plusMillis(step * 131), zone);
                assertEquals(formattedNow(clock), ReceivedHeader.date(clock));
            }
        }
        // The same second again in another zone: its own text, not the cached one.
        Clock utc = Clock.fixed(at, ZoneOffset.UTC);
        Clock paris = Clock.fixed(at, ZoneId.of("Europe/Paris"));
        assertEquals("Mon, 30 Nov 2026 03:05:19 GMT", ReceivedHeader.date(utc));
        assertEquals("Mon, 30 Nov 2026 04:05:19 +0100", ReceivedHeader.date(paris));
        assertEquals("Mon, 30 Nov 2026 03:05:19 GMT", ReceivedHeader.date(utc));
    }

    /** Threads whose clocks stand at different seconds share the cached date: each always gets its own second's. */
    @Test
    void concurrentCallersWithDifferentClocksEachGetTheirOwnDate() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Instant base = Instant.parse("2026-11-30T03:00:00Z").plusSeconds(t * 3_600L);
                results.add(pool.submit(() -> {
                    int checked = 0;
                    for (int i = 0; i < 20_000; i++) {
                        Clock clock = Clock.fixed(base.plusMillis(i * 300L), ZoneOffset.UTC);
                        assertEquals(formattedNow(clock), ReceivedHeader.date(clock));
                        checked++;
                    }
                    return checked;
                }));
            }
            for (Future<Integer> result : results) {
                assertEquals(20_000, result.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
