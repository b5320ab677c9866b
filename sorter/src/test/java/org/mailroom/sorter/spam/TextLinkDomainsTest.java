package org.mailroom.sorter.spam;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.mailroom.sorter.spam.signals.Domains;

/**
 * {@link RelayAndLinkFeatures#textLinkDomains} finds URL starts from the ':' and '.' characters instead of looking at
 * every character: it must give exactly what the character-by-character scan (kept here as the reference) gave.
 */
class TextLinkDomainsTest {
    private static final String[] PIECES = {"http://", "https://", "HTTPS://", "hTtP://", "www.", "WWW.", "wWw.",
        "a.example", "shop.example.co.uk", "x", " ", ".", ":", "/", "//", "h", "w", "ww", "http:", "https", "é",
        "\u017f", "httpſ://", "-", "\n", "1.2.3.4", "awww.b.c", "/www.d.e", "mailto:x@y.z", "www..", "http://.",
        "see www.", "words and more words "};

    @Test
    void sameDomainsAsTheCharacterByCharacterScan() {
        Random random = new Random(7);
        for (int round = 0; round < 20_000; round++) {
            StringBuilder text = new StringBuilder();
            int pieces = random.nextInt(30);
            for (int p = 0; p < pieces; p++) {
                text.append(PIECES[random.nextInt(PIECES.length)]);
            }
            String s = text.toString();
            int maxChars = random.nextInt(4) == 0 ? random.nextInt(s.length() + 1) : 20_000;
            assertThat(RelayAndLinkFeatures.textLinkDomains(s, maxChars)).as("%s / %d", s, maxChars)
                .isEqualTo(reference(s, maxChars));
        }
    }

    @Test
    void findsUrlsInText() {
        assertThat(RelayAndLinkFeatures.textLinkDomains("go to http://a.b.example/x or WWW.shop.co.uk, not xwww.c.d",
            20_000)).containsExactlyInAnyOrder("b.example", "shop.co.uk");
    }

    // The former implementation, unchanged.
    private static Set<String> reference(String text, int maxChars) {
        Set<String> out = new HashSet<>();
        int n = Math.min(text.length(), maxChars);
        int found = 0;
        int i = 0;
        while (i < n && found < 20) {
            int start = indexOfUrl(text, i, n);
            if (start < 0) {
                break;
            }
            int host = start;
            if (text.regionMatches(true, host, "http://", 0, 7)) {
                host += 7;
            } else if (text.regionMatches(true, host, "https://", 0, 8)) {
                host += 8;
            }
            int end = host;
            while (end < n && isHostChar(text.charAt(end))) {
                end++;
            }
            if (end > host && text.indexOf('.', host) > host && text.indexOf('.', host) < end) {
                out.add(Domains.organisational(text.substring(host, end).toLowerCase(Locale.ROOT)));
                found++;
            }
            i = Math.max(end, start + 1);
        }
        return out;
    }

    private static int indexOfUrl(String text, int from, int to) {
        for (int i = from; i < to - 4; i++) {
            char c = text.charAt(i);
            if ((c == 'h' || c == 'H') && (text.regionMatches(true, i, "http://", 0, 7)
                || text.regionMatches(true, i, "https://", 0, 8))) {
                return i;
            }
            if ((c == 'w' || c == 'W') && text.regionMatches(true, i, "www.", 0, 4)
                && (i == 0 || !Character.isLetterOrDigit(text.charAt(i - 1)) && text.charAt(i - 1) != '/')) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isHostChar(char c) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '-');
    }
}
