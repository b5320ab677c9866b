package org.mailroom.sorter.spam;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.message.MailParser;
import org.mailroom.sorter.spam.signals.StructureChecks;

/**
 * {@link EmittedFeatures#names} spells a feature out from what the first extraction kept; the spam reason used to
 * get its names from a second, naming extraction of the whole message. Both must give every feature the same name:
 * its hash's first spelling in extraction order.
 *
 * <p>With {@code -Dnames.corpus=DIR} it checks every {@code .eml} file under DIR too (e.g. the SpamAssassin corpus
 * that {@code bench/run-spam-quality.sh} unpacks under {@code bench/target}).
 */
class EmittedFeaturesTest {
    private static final FeatureExtractor EXTRACTOR = new FeatureExtractor(StructureChecks.standard());
    private static final MailParser PARSER = new MailParser();
    private static final String[] PINNED = {"0008d02a533760dcbcf6.eml", "0010dcc2fcba7168e9ec.eml",
        "1096a686f230a00ef5e7.eml", "13d7dc71d4fe5773f593.eml", "414618c543ac9cfdfa83.eml", "64f4ab29f1cdbc78b247.eml",
        "8857c11d6ce916e969a8.eml"};

    @Test
    void everyFeatureOfCorpusMessagesIsNamedAsTheNamingPassNamesIt() {
        EmittedFeatures emitted = new EmittedFeatures();
        for (String file : PINNED) {
            // One instance for all: the arrays a message grew are reused by the next one.
            assertSameNames(PARSER.parse(TokenPinsTest.resourceBytes("pins/" + file)), emitted);
        }
    }

    @Test
    void wordsOfEveryTextTheTokenizerReadAreNamed() {
        MailContent content = TestMails.parse("""
            From: "Shop Offers" <offers@mail.shop.example.co.uk>
            To: alice@example.test
            Subject: Save $25.00 today
            Message-ID: <ABC123.456@mx.shop.example.co.uk>
            Received: from relay.example.net (relay.example.net [192.0.2.33]) by mx.example.test
            X-Mailer: Blaster 3.1 Pro
            User-Agent:

            Order NOW at www.shop.example, only 12,99! Order now, order today at https://shop.example/x
            """);
        Map<Long, String> expected = assertSameNames(content, new EmittedFeatures());
        assertThat(expected.values()).contains("s:save", "s:$99.99", "s:save * today", "b:order now",
            "x-mailer:blaster", "x-mailer:9.9 pro", "fromname:shop", "fromname:shop offers", "from:offers@mail.shop.example.co.uk");
    }

    @Test
    void featuresOfThreeDifferentTextsAreNamedInOneCall() {
        MailContent content = TestMails.parse("""
            From: "Zed Person" <zed@example.test>
            To: alice@example.test
            Subject: quarterly figures

            the numbers you asked for
            """);
        EmittedFeatures emitted = extracted(content, new EmittedFeatures());
        long[] wanted = {FeatureHash.of("b", "numbers"), FeatureHash.of("s", "figures"),
            FeatureHash.of("fromname", "person"), FeatureHash.of("h", "subject"), FeatureHash.of("b", "absent")};
        assertThat(emitted.names(wanted)).containsExactly("b:numbers", "s:figures", "fromname:person", "h:subject",
            null);
    }

    @Test
    void aClearedInstanceIsForNoMessageUntilItsExtractionCompletes() {
        MailContent content = TestMails.mail("1", "a@example.test", "Hello there", "Order now");
        EmittedFeatures emitted = extracted(content, new EmittedFeatures());
        assertThat(emitted.isFor(content, SessionFacts.none())).isTrue();
        emitted.clear();
        assertThat(emitted.isFor(content, SessionFacts.none())).isFalse();
        assertThat(emitted.count()).isZero();
        assertThat(emitted.names(new long[] {FeatureHash.of("b", "order")})).containsExactly((String) null);
    }

    @Test
    void corpusOnRequest() throws IOException {
        String corpus = System.getProperty("names.corpus");
        if (corpus == null) {
            return;
        }
        EmittedFeatures emitted = new EmittedFeatures();
        int messages = 0;
        try (Stream<Path> files = Files.walk(Path.of(corpus))) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".eml")).sorted()
                .toList()) {
                MailContent content = PARSER.parse(Files.readAllBytes(file));
                assertSameNames(content, emitted, false);
                messages++;
            }
        }
        System.out.println("EmittedFeaturesTest: names of every feature of " + messages + " messages checked");
        assertThat(messages).isPositive();
    }

    private static Map<Long, String> assertSameNames(MailContent content, EmittedFeatures emitted) {
        return assertSameNames(content, emitted, true);
    }

    /**
     * Asserts that every feature is named as the naming pass names it: all at once, one by one, and in threes from
     * across the message (as the reason asks for three); returns those names. A corpus check ({@code every} false)
     * takes about thirty single features and twenty threes per message instead: {@link EmittedFeatures#names} is
     * made for three, and checking thousands re-tokenizes a text once per feature.
     */
    private static Map<Long, String> assertSameNames(MailContent content, EmittedFeatures emitted, boolean every) {
        Map<Long, String> expected = namingPass(content);
        extracted(content, emitted);
        List<Long> hashes = new ArrayList<>(expected.keySet());
        if (every) {
            long[] all = hashes.stream().mapToLong(Long::longValue).toArray();
            assertThat(emitted.names(all)).containsExactlyElementsOf(expected.values());
        }
        for (int i = 0; i < hashes.size(); i += every ? 1 : Math.max(1, hashes.size() / 30)) {
            long hash = hashes.get(i);
            assertThat(emitted.names(new long[] {hash})).as("name of %s", expected.get(hash))
                .containsExactly(expected.get(hash));
        }
        // Far apart, so usually from different texts.
        int third = Math.max(1, hashes.size() / 3);
        int step = every ? 7 : Math.max(1, third / 20);
        for (int i = 0; i + 2 * third < hashes.size(); i += step) {
            long[] wanted = {hashes.get(i + 2 * third), hashes.get(i), hashes.get(i + third)};
            assertThat(emitted.names(wanted)).containsExactly(expected.get(wanted[0]), expected.get(wanted[1]),
                expected.get(wanted[2]));
        }
        return expected;
    }

    private static EmittedFeatures extracted(MailContent content, EmittedFeatures emitted) {
        emitted.clear();
        EXTRACTOR.extract(content, SessionFacts.none(), emitted);
        emitted.completed(content, SessionFacts.none());
        return emitted;
    }

    /** Every feature's first spelling, by a naming extraction of the whole message (what the reason used). */
    private static Map<Long, String> namingPass(MailContent content) {
        Map<Long, String> names = new LinkedHashMap<>();
        EXTRACTOR.extract(content, SessionFacts.none(), new FeatureExtractor.NamingSink() {
            @Override
            public void feature(long hash) {
            }

            @Override
            public boolean wantsName(long hash) {
                return !names.containsKey(hash);
            }

            @Override
            public void name(long hash, String name) {
                names.putIfAbsent(hash, name);
            }
        });
        return names;
    }
}
