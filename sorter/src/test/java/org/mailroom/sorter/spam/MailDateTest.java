package org.mailroom.sorter.spam;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class MailDateTest {

    private static long at(String iso) {
        return Instant.parse(iso).getEpochSecond();
    }

    @Test
    void readsTheFormsMailCarries() {
        assertThat(MailDate.epochSeconds("Tue, 3 Sep 2002 14:02:11 -0400 (EDT)")).hasValue(at("2002-09-03T18:02:11Z"));
        assertThat(MailDate.epochSeconds("3 Sep 2002 14:02 +0130")).hasValue(at("2002-09-03T12:32:00Z"));
        assertThat(MailDate.epochSeconds("Sat, 31 Aug 02 23:59:59 PDT")).hasValue(at("2002-09-01T06:59:59Z"));
        assertThat(MailDate.epochSeconds(" Thu, 29 Feb 2024 01:00:00 GMT")).hasValue(at("2024-02-29T01:00:00Z"));
        assertThat(MailDate.epochSeconds("Mon, 31 Dec 2001 10:00:00")).hasValue(at("2001-12-31T10:00:00Z"));
    }

    @Test
    void whatIsNotADateIsEmpty() {
        assertThat(MailDate.epochSeconds("")).isEmpty();
        assertThat(MailDate.epochSeconds("yesterday")).isEmpty();
        assertThat(MailDate.epochSeconds("Tue, 3 Sept 2002 14:02:11")).hasValue(at("2002-09-03T14:02:11Z"));
        assertThat(MailDate.epochSeconds("Tue, 3 Foo 2002 14:02:11 +0000")).isEmpty();
        assertThat(MailDate.epochSeconds("Tue, 33 Sep 2002 14:02:11 +0000")).isEmpty();
        assertThat(MailDate.epochSeconds("Tue, 3 Sep 2002 25:02:11 +0000")).isEmpty();
        assertThat(MailDate.epochSeconds("Tue, 3 Sep 2002 xx:02:11 +0000")).isEmpty();
    }
}
