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
    void breakdownListsEveryScore() {
        String text = SortTrace.breakdown(SPAM);
        assertThat(text).contains("category:   spam", "rule:       conf/rules:12: if dnsbl listed then spam",
            "spam:       3.75", "importance: -0.50");
        assertThat(text).containsPattern("spam\\s+\\+2\\.500\\s+dnsbl\\s+client listed by zen.spamhaus.org");
        assertThat(text).containsPattern("importance\\s+-0\\.500\\s+sender\\s+never written to");
    }
}
