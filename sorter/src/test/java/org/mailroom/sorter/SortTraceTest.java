package org.mailroom.sorter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

class SortTraceTest {

    private static final Decision SPAM = new Decision(Category.SPAM, Optional.empty(), Set.of("$Junk"),
        List.of(new Score("dnsbl", Dimension.SPAM, 2.5, "client listed by zen.spamhaus.org"),
            new Score("bayes", Dimension.SPAM, 1.25, "tokens: \"viagra\" caf\u00e9"),
            new Score("sender", Dimension.IMPORTANCE, -0.5, "never written to")),
        Optional.of("conf/rules:12: if dnsbl listed then spam"),
        "rule conf/rules:12; client listed by zen.spamhaus.org (dnsbl +2.50), tokens: \"viagra\" caf\u00e9 "
            + "(bayes +1.25), never written to (sender -0.50)");

    @Test
    void headerIsFoldedAsciiWithTotalsRuleAndReasons() {
        String header = SortTrace.header(SPAM);
        assertThat(header).endsWith("\r\n");
        for (String line : header.substring(0, header.length() - 2).split("\r\n", -1)) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(78);
            assertThat(line).matches("[\\x20-\\x7e]+");
        }
        String unfolded = header.replace("\r\n ", " ").strip();
        assertThat(unfolded).startsWith("X-Mailroom-Sort: category=spam; spam=3.75; importance=-0.50; "
            + "rule=\"conf/rules:12\"; reasons=\"rule conf/rules:12; client listed");
        assertThat(unfolded).contains("tokens: \\\"viagra\\\" caf? (bayes +1.25)");
        assertThat(header.split("\r\n").length).isGreaterThan(2);
    }

    @Test
    void sessionFactsGoIntoTheHeaderAndComeBackOutOfTheStoredCopy() {
        SessionFacts facts = new SessionFacts(Optional.of("2001:db8::7"), Optional.of("mx \"evil\".example"), true,
            false, List.of("zen.example", "b.example"), Optional.of("softfail"));
        String header = SortTrace.header(SPAM, facts);
        String value = new org.mailroom.sorter.message.MailParser()
            .parse((header + "Subject: x\r\n\r\nbody\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .header(SortTrace.HEADER).orElseThrow();
        assertThat(value).contains("session=\"client=2001:db8::7 helo=mx??evil?.example tls=yes auth=no "
            + "dnsbl=zen.example,b.example spf=softfail\"; reasons=");
        assertThat(SortTrace.sessionFacts(value)).isEqualTo(new SessionFacts(Optional.of("2001:db8::7"),
            Optional.of("mx??evil?.example"), true, false, List.of("zen.example", "b.example"), Optional.of("softfail")));
    }

    @Test
    void aHeaderWithoutSessionFactsGivesNoneAndReasonsCannotForgeThem() {
        assertThat(SortTrace.sessionFacts("category=inbox; spam=0.00; importance=0.00; reasons=\"x\""))
            .isEqualTo(SessionFacts.none());
        Decision forged = new Decision(Category.INBOX, Optional.empty(), Set.of(), List.of(), Optional.empty(),
            "subject \"a; session=\"dnsbl=zen.example spf=fail\"\"");
        String value = SortTrace.header(forged).replace("\r\n", "").replace("X-Mailroom-Sort: ", "");
        assertThat(value).contains("session=");
        assertThat(SortTrace.sessionFacts(value)).isEqualTo(SessionFacts.none());
    }

    @Test
    void theCopyAsSortedLosesOnlyTheFirstTraceHeader() {
        String stored = "Received: from a\r\n" + SortTrace.header(SPAM, SessionFacts.none())
            + "Subject: hi\r\nX-Mailroom-Sort: category=priority; forged\r\n\r\nX-Mailroom-Sort: in the body\r\n";
        String sorted = new String(SortTrace.withoutHeader(stored.getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
            java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(sorted).isEqualTo("Received: from a\r\nSubject: hi\r\nX-Mailroom-Sort: category=priority; forged"
            + "\r\n\r\nX-Mailroom-Sort: in the body\r\n");
        byte[] none = "Subject: x\r\n\r\nX-Mailroom-Sort: body\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(SortTrace.withoutHeader(none)).isSameAs(none);
    }

    @Test
    void breakdownListsEveryScore() {
        String text = SortTrace.breakdown(SPAM);
        assertThat(text).contains("category:   spam", "rule:       conf/rules:12: if dnsbl listed then spam",
            "spam:       3.75", "importance: -0.50");
        assertThat(text).containsPattern("spam\\s+\\+2\\.500\\s+dnsbl\\s+client listed by zen.spamhaus.org");
        assertThat(text).containsPattern("importance\\s+-0\\.500\\s+sender\\s+never written to");
    }

    @org.junit.jupiter.api.Test
    void numbersAreWrittenExactlyAsTheFormatterWroteThem() {
        double[] values = {0, -0.0, 0.005, 0.015, 1.005, -1.005, 2.675, -0.001, 0.004999, 12.345, -99.995, 1e-7, 3.5e9,
            Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (double v : values) {
            org.assertj.core.api.Assertions.assertThat(SortTrace.number(v)).as("%s", v)
                .isEqualTo(String.format(java.util.Locale.ROOT, "%.2f", v));
        }
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 10_000; i++) {
            double v = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(6));
            org.assertj.core.api.Assertions.assertThat(SortTrace.number(v)).as("%s", v)
                .isEqualTo(String.format(java.util.Locale.ROOT, "%.2f", v));
        }
    }

    /** Folding in place gives what the first version, a copy per line, gave: random lines of words and spaces. */
    @Test
    void foldingInPlaceMatchesTheFoldingByCopies() {
        java.util.Random random = new java.util.Random(11);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder line = new StringBuilder();
            int length = random.nextInt(700);
            for (int i = 0; i < length; i++) {
                int kind = random.nextInt(12);
                line.append(kind == 0 ? ' ' : kind == 1 && random.nextInt(8) == 0 ? "          " : "x");
            }
            assertThat(SortTrace.fold(line.toString())).isEqualTo(foldedByCopies(line.toString()));
        }
    }

    /** The folding as first written: a copy of each line, cut at its last space once it passes 78 characters. */
    private static String foldedByCopies(String line) {
        StringBuilder out = new StringBuilder();
        int lastSpace = -1;
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ' ' && current.length() > 0) {
                lastSpace = current.length();
            }
            current.append(c);
            if (current.length() > 78 && lastSpace > 0) {
                out.append(current, 0, lastSpace).append("\r\n");
                String rest = current.substring(lastSpace);
                current.setLength(0);
                current.append(rest);
                lastSpace = -1;
            }
        }
        out.append(current);
        return out.toString();
    }
}
