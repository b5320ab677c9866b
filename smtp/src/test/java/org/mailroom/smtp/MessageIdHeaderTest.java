package org.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

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
}
