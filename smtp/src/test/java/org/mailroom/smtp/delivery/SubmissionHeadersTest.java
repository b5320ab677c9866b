package org.mailroom.smtp.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubmissionHeadersTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T07:05:09Z"), ZoneOffset.UTC);

    private static SubmissionHeaders lacking(String message) throws Exception {
        return SubmissionHeaders.of(new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8)),
            "mail.example.org", CLOCK);
    }

    private static String added(String message) throws Exception {
        return new String(lacking(message).fields(), StandardCharsets.US_ASCII);
    }

    /** Which messages are only a body (their first line is no header field) and get the header section's end. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`Subject: hi\r\n\r\nbody\r\n`       | false",
        "`Subject : obsolete but a field\r\n\r\nx\r\n` | false",
        "`X-Odd!Name: v\r\n\r\nx\r\n`         | false",
        "`\r\nno fields, then a body\r\n`     | false",
        "``                                   | false",
        "`hello world\r\n`                    | true",
        "`line one: with a colon later\r\n`   | true",
        "`:empty name\r\n`                    | true",
        "`\tindented\r\n`                     | true",
        "`From alice@example.org Mon Nov 30\r\nSubject: x\r\n\r\n` | true",
        "`word-without-colon`                 | true",
    })
    void aMessageIsOnlyABodyWhenItsFirstLineIsNoHeaderField(String message, boolean bodyOnly) throws Exception {
        assertThat(SubmissionHeaders.bodyOnly(message.getBytes(StandardCharsets.UTF_8))).isEqualTo(bodyOnly);
        assertThat(lacking(message).endsHeaderSection()).isEqualTo(bodyOnly);
        assertThat(added(message)).doesNotContain("\r\n\r\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`Subject: x\r\n\r\nbody\r\n`                                  | true  | true",
        "`date: Mon, 30 Nov 2026 10:00:00 +0100\r\nSubject: x\r\n\r\n` | false | true",
        "`MESSAGE-ID: <a@b>\r\n\r\n`                                   | true  | false",
        "`Subject: x\r\n\r\nDate: in the body does not count\r\n`      | true  | true",
        "`text only\r\nDate: not a field of a body-only message\r\n`   | true  | true",
    })
    void dateAndMessageIdAreAddedOnlyWhenTheHeaderHasNone(String message, boolean date, boolean messageId)
        throws Exception {
        String added = added(message);
        assertThat(added.contains("Date: Tue, 1 Dec 2026 07:05:09 +0000\r\n")).isEqualTo(date);
        assertThat(added.matches("(?s).*Message-ID: <[0-9a-f-]{36}@mail\\.example\\.org>\r\n.*")).isEqualTo(messageId);
    }
}
