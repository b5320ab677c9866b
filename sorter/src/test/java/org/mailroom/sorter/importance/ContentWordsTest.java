package org.mailroom.sorter.importance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.message.MailParser;

/**
 * The content features (subject and body words, the sender's own text) are found without a String per word looked
 * at; the learned weights are keyed by those words, so they must be exactly the words the straightforward
 * implementation below (the one before that change, kept as the specification) finds. With
 * {@code -Dwords.corpus=DIR} every {@code .eml} file under DIR is compared too.
 */
class ContentWordsTest {
    private static final MailParser PARSER = new MailParser();
    private static final Instant AT = Instant.parse("2026-01-05T09:00:00Z");

    @Test
    void sameWordsAsTheStraightforwardImplementation() {
        List<String> bodies = List.of(
            "Order now, ORDER today! The offer for YOU: order Shipping shipping SHIPPING.",
            "Straße grüße GRÜSSE Ärger ärger naïve NAÏVE café CAFÉ résumé",
            "Kelvin \u212Aelvin KELVIN kelvin; the sign \u212A alone",
            "Σίσυφος ΣΊΣΥΦΟΣ Москва МОСКВА москва, mixed Москва words",
            "Hello Bob,\nhere are the numbers.\n\n-----Original Message-----\nFrom: Bob\nold text old text",
            "Short note.\nFROM: someone else\nwith a header-like line",
            "We'd like it's O'Brien's don't can't won't we'd",
            "x".repeat(5000) + " tail words here",
            "a " + "quarter ".repeat(1000) + "late distinct words at the end");
        for (String body : bodies) {
            for (String subject : List.of("Re: Order now", "Σίσυφος news", "Weekly ORDER report")) {
                MailContent content = mail(subject, body);
                assertThat(ImportanceFeatures.ownText(content.text())).as(body)
                    .isEqualTo(Reference.ownText(content.text()));
                assertThat(contentWords(content)).as(body).isEqualTo(Reference.contentWords(content))
                    .isNotEmpty();
            }
        }
    }

    /**
     * The own text and its words are found in one pass ({@link ContentScan}): on random bodies built from words,
     * quote markers in any case (also inside words: "rewrote:"), apostrophes, digits, non-ASCII letters, the Kelvin
     * sign and long runs, the own text and the word features equal the straightforward implementation's.
     */
    @Test
    void onePassFindsTheSameOwnTextAndWordsOnRandomBodies() {
        String[] pieces = {"order", "ORDER", "Order", "the", "The", "you", "o'brien", "it's", "x1y2", "42", "ab",
            "re", "wrote:\n", "WROTE:\n", "rewrote:\n", "wrote:", "\n>", "\nFrom: ", "\nfrom:", "\nFROM: x",
            "-----Original Message-----", "-----original message----", "----- Forwarded by", "-----FORWARDED MESSAGE-----",
            "---------- Forwarded message", " ", " ", " ", "\n", "\r\n", ",", "?", "!", "-", "'", "Straße", "GRÜSSE",
            "café", "Москва", "\u212Aelvin", "\u212A", "naïve", "supercalifragilisticexpialidocious", "a".repeat(19),
            "b".repeat(20), "c".repeat(21), "w", "wr", "wro", "wrot"};
        java.util.Random random = new java.util.Random(20261130);
        for (int round = 0; round < 3000; round++) {
            StringBuilder body = new StringBuilder();
            int parts = random.nextInt(round % 10 == 0 ? 2500 : 120);
            for (int i = 0; i < parts; i++) {
                body.append(pieces[random.nextInt(pieces.length)]);
                if (random.nextInt(3) > 0) {
                    body.append(' ');
                }
            }
            String subject = round % 3 == 0 ? "Order now wrote: the ORDER" : "Re: " + pieces[random.nextInt(pieces.length)];
            MailContent content = mail(subject, body.toString());
            assertThat(ImportanceFeatures.ownText(content.text())).as(body.toString())
                .isEqualTo(Reference.ownText(content.text()));
            assertThat(contentWords(content)).as(body.toString()).isEqualTo(Reference.contentWords(content));
        }
    }

    @Test
    void theQuotedPartIsCutWhereItStartsAlsoAfterADottedCapitalI() {
        // Lower-cased, 'İ' is two characters: the implementation before cut at positions of the lower-cased copy,
        // too late here (and past the end, an exception, when no marker followed).
        assertThat(ImportanceFeatures.ownText("İİİİ İstanbul\n> quoted")).isEqualTo("İİİİ İstanbul");
        assertThat(ImportanceFeatures.ownText("İstanbul, İzmir")).isEqualTo("İstanbul, İzmir");
        assertThat(ImportanceFeatures.ownText("-----ORİGİNAL MESSAGE-----")).isEqualTo("-----ORİGİNAL MESSAGE-----");
        assertThat(ImportanceFeatures.ownText("Hi\n-----ORIGINAL MESSAGE-----\nold")).isEqualTo("Hi\n");
        assertThat(contentWords(mail("Re: İstanbul", "İstanbul İSTANBUL istanbul trip\n> old trip")))
            .containsExactly("s:stanbul", "b:i\u0307stanbul", "b:istanbul", "b:trip");
    }

    @Test
    void stopWordsAndRepeatsAreLeftOutWhateverTheirCase() {
        MailContent content = mail("The THE the", "The offer, THE OFFER, the Offer; YOUR order and Your ORDER.");
        assertThat(contentWords(content)).containsExactly("b:offer", "b:order");
    }

    @Test
    void corpusOnRequest() throws IOException {
        String corpus = System.getProperty("words.corpus");
        if (corpus == null) {
            return;
        }
        int compared = 0;
        try (Stream<Path> files = Files.walk(Path.of(corpus))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".eml")).sorted().toList()) {
                MailContent content = PARSER.parse(Files.readAllBytes(file));
                if (content.text().indexOf('\u0130') >= 0) {
                    continue; // the reference breaks on it (see above)
                }
                assertThat(ImportanceFeatures.ownText(content.text())).as(file.toString())
                    .isEqualTo(Reference.ownText(content.text()));
                assertThat(contentWords(content)).as(file.toString()).isEqualTo(Reference.contentWords(content));
                compared++;
            }
        }
        System.out.println("content words identical for " + compared + " messages under " + corpus);
        assertThat(compared).isPositive();
    }

    private static MailContent mail(String subject, String body) {
        String raw = "From: bob@example.test\r\nTo: alice@example.test\r\nSubject: " + subject
            + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body.replace("\n", "\r\n") + "\r\n";
        return PARSER.parse(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** The subject and body word features, in order. */
    private static List<String> contentWords(MailContent content) {
        return ImportanceFeatures.extract("alice@example.test", Set.of(), content, AT, new InMemoryImportanceState())
            .stream().map(ImportanceFeatures.Feature::name).filter(n -> n.startsWith("s:") || n.startsWith("b:"))
            .toList();
    }

    /** The implementation before the allocation cut: a lower-cased copy of the text, a String per word. */
    private static final class Reference {
        static List<String> contentWords(MailContent content) {
            Set<String> seen = new HashSet<>();
            List<String> subject = new ArrayList<>();
            words(ThreadKeys.subject(content.subject()), ImportanceFeatures.MAX_SUBJECT_WORDS, subject, seen);
            List<String> body = new ArrayList<>();
            words(ownText(content.text()), ImportanceFeatures.MAX_BODY_WORDS, body, seen);
            List<String> names = new ArrayList<>();
            subject.forEach(w -> names.add("s:" + w));
            body.forEach(w -> names.add("b:" + w));
            return names;
        }

        static String ownText(String text) {
            String head = text.length() > ImportanceFeatures.MAX_BODY_CHARS ? text.substring(0, ImportanceFeatures.MAX_BODY_CHARS) : text;
            String lower = head.toLowerCase(Locale.ROOT);
            int end = lower.length();
            for (String marker : ImportanceFeatures.QUOTE_MARKERS) {
                int at = lower.indexOf(marker);
                if (at >= 0 && at < end) {
                    end = at;
                }
            }
            return head.substring(0, end);
        }

        static void words(String text, int max, List<String> into, Set<String> seen) {
            int i = 0;
            int n = text.length();
            while (i < n && into.size() < max) {
                while (i < n && !Character.isLetter(text.charAt(i))) {
                    i++;
                }
                int start = i;
                while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '\'')) {
                    i++;
                }
                int len = i - start;
                if (len >= 3 && len <= 20) {
                    String w = text.substring(start, i).toLowerCase(Locale.ROOT);
                    if (!ImportanceFeatures.STOP_WORDS.contains(w) && seen.add(w)) {
                        into.add(w);
                    }
                }
            }
        }
    }
}
