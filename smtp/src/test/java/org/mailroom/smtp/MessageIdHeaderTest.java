package org.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The Message-ID as log lines show it: found in the header block only, unfolded, one safe line. */
class MessageIdHeaderTest {
    private static String of(String message) {
        return MessageIdHeader.of(message.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void foundCaseInsensitivelyAndUnfolded() {
        assertThat(of("Subject: x\r\nmessage-ID: <a@b.example>\r\n\r\nbody")).isEqualTo("<a@b.example>");
        assertThat(of("Message-Id:\r\n <folded@b.example>\r\nTo: y\r\n\r\n")).isEqualTo("<folded@b.example>");
        assertThat(of("Message-ID: <lf@only>\n\nbody")).isEqualTo("<lf@only>");
    }

    @Test
    void onlyTheHeaderBlockCounts() {
        assertThat(of("Subject: x\r\n\r\nMessage-ID: <in-the-body@x>\r\n")).isEqualTo(MessageIdHeader.NONE);
        assertThat(of("")).isEqualTo(MessageIdHeader.NONE);
    }

    @Test
    void aSendersChoiceCannotBreakTheLogLine() {
        assertThat(of("Message-ID: <a\u0007b@x> extra\r\n\r\n")).isEqualTo("<a?b@x>extra");
        assertThat(of("Message-ID: <" + "x".repeat(500) + "@y>\r\n\r\n")).hasSize(200);
        assertThat(MessageIdHeader.safeText("line\r\nbreak \"quoted\"")).isEqualTo("line??break 'quoted'");
    }

    /**
     * Read over the bytes, the Message-ID is the one the former implementation found in a String of the head split
     * into lines: compared on random messages made of header lines, folds, CR and LF in every combination, bytes
     * beyond ASCII and controls.
     */
    @Test
    void sameAsReadingAStringOfTheHeadSplitIntoLines() {
        String[] pieces = {"Message-ID:", "message-id:", "MESSAGE-ID: ", "Message-Id:<a@b>", " <x@y>", "\t<z@w>",
            "Subject: hi", "X-Message-ID: <no>", "Message-ID", "\r\n", "\r\n", "\n", "\r", "\r\n ", "\r\n\t",
            "\n ", "\r\n\r\n", "\n\n", "\r\n\n", " ", "\t", "<", ">", "@", "abc", "\u00e9\u00ff", "\u0007", "\u0000",
            "x".repeat(120)};
        Random random = new Random(20261130);
        for (int round = 0; round < 100_000; round++) {
            StringBuilder message = new StringBuilder();
            int parts = random.nextInt(40);
            for (int i = 0; i < parts; i++) {
                message.append(pieces[random.nextInt(pieces.length)]);
            }
            byte[] bytes = message.toString().getBytes(StandardCharsets.ISO_8859_1);
            assertThat(MessageIdHeader.of(bytes)).as(message.toString()).isEqualTo(former(bytes));
        }
        byte[] large = ("Subject: x\r\n" + "X: " + "y".repeat(70_000) + "\r\nMessage-ID: <late@x>\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(MessageIdHeader.of(large)).isEqualTo(former(large)).isEqualTo(MessageIdHeader.NONE);
    }

    /** The implementation before the read over the bytes, kept as the specification. */
    private static String former(byte[] message) {
        int end = Math.min(message.length, MessageIdHeader.HEADER_LIMIT);
        String headers = new String(message, 0, end, StandardCharsets.ISO_8859_1);
        int blank = headers.indexOf("\r\n\r\n");
        if (blank < 0) {
            blank = headers.indexOf("\n\n");
        }
        if (blank >= 0) {
            headers = headers.substring(0, blank);
        }
        String[] lines = headers.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].toLowerCase(Locale.ROOT).startsWith("message-id:")) {
                StringBuilder value = new StringBuilder(lines[i].substring("message-id:".length()));
                while (i + 1 < lines.length && !lines[i + 1].isEmpty()
                    && (lines[i + 1].charAt(0) == ' ' || lines[i + 1].charAt(0) == '\t')) {
                    value.append(' ').append(lines[++i].trim());
                }
                return MessageIdHeader.safe(value.toString().trim());
            }
        }
        return MessageIdHeader.NONE;
    }
}
