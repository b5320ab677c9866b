package org.mailroom.sorter.spam.signals;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class DomainsTest {

    /** The first, simple form of {@link Domains#hostOfUrl} (lower-case everything, then look): the oracle. */
    private static Optional<String> reference(String url) {
        String u = url.strip().toLowerCase(Locale.ROOT);
        int start;
        if (u.startsWith("http://")) {
            start = 7;
        } else if (u.startsWith("https://")) {
            start = 8;
        } else if (u.startsWith("www.")) {
            start = 0;
        } else {
            return Optional.empty();
        }
        int end = start;
        while (end < u.length() && "/?#:\\ ".indexOf(u.charAt(end)) < 0) {
            end++;
        }
        String host = u.substring(start, end);
        int at = host.lastIndexOf('@');
        if (at >= 0) {
            host = host.substring(at + 1);
        }
        return host.isEmpty() ? Optional.empty() : Optional.of(host);
    }

    @Test
    void hostOfUrlReadsTheSameHostsAsLowerCasingEverythingFirst() {
        List<String> urls = List.of("https://Bank.Example/login", "  HTTP://user@evil.example:8080/x \n",
            "www.Shop.example", "see item 12", "", "http://", "https://", "https:// host", "http://a\tb/c",
            "Https://x.example?q=1", "http://x.example#frag", "http://x.example\\path", "wwwx.example",
            "mailto:bob@example.org", "http:/broken.example", "\t www.example.org/path ", "HTTPS://ÄBC.example/");
        for (String url : urls) {
            assertThat(Domains.hostOfUrl(url)).as(url).isEqualTo(reference(url));
        }
        assertThat(Domains.hostOfUrl("  HTTP://user@Evil.Example:8080/x")).contains("evil.example");
    }
}
