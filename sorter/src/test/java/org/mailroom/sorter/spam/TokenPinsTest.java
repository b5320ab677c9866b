package org.mailroom.sorter.spam;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.message.Attachment;
import org.mailroom.sorter.message.HeaderField;
import org.mailroom.sorter.message.Link;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.message.MailParser;
import org.mailroom.sorter.spam.signals.StructureChecks;

/**
 * Pins what the parser and the tokenizer make of a few SpamAssassin corpus messages (plain ham, an attachment,
 * quoted-printable, base64, HTML only, multipart/alternative, Big5 HTML): the parsed content and the multiset of
 * word and word-pair hashes of subject and body. The spam model's learned weights are keyed by these hashes, so a
 * faster parser or tokenizer must give exactly the same ones; a change that means to alter them (new token kinds)
 * updates {@code pins/expected.tsv} on purpose (run with {@code -Dpins.print=true} to print the new lines).
 *
 * <p>With {@code -Dpins.corpus=DIR -Dpins.out=FILE} it writes the same digests, plus the digest of every feature
 * the spam filter extracts, for every message file under DIR: run it on two builds and compare the files to check
 * a whole corpus.
 */
class TokenPinsTest {
    private static final MailParser PARSER = new MailParser();
    private static final FeatureExtractor EXTRACTOR = new FeatureExtractor(StructureChecks.standard());

    @Test
    void tokensAndParsedContentOfCorpusMessagesStayTheSame() throws IOException {
        Map<String, String> expected = new LinkedHashMap<>();
        for (String line : resource("pins/expected.tsv").split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                expected.put(line.substring(0, line.indexOf('\t')), line);
            }
        }
        assertThat(expected).hasSizeGreaterThanOrEqualTo(7);
        List<String> actual = new ArrayList<>();
        for (String file : expected.keySet()) {
            actual.add(pin(file, resourceBytes("pins/" + file), false));
        }
        if (Boolean.getBoolean("pins.print")) {
            actual.forEach(System.out::println);
        }
        assertThat(actual).containsExactlyElementsOf(expected.values());
    }

    @Test
    void pinnedTokensAreTheOnesTheTokenizerEmitsForAPlainMessage() {
        // Guards the pin itself: a digest of nothing would pin nothing.
        MailContent content = TestMails.mail("1", "a@example.test", "Hello there", "Order now, order today");
        List<Long> tokens = tokens(content);
        assertThat(tokens).hasSize(2 + 1 + 4 + 3 + 2); // 2 subject words + 1 pair, 4 body words + 3 + 2 pairs
        assertThat(tokens).contains(FeatureHash.of("b", "order"), FeatureHash.of("s", "hello"));
    }

    /** Writes the digests of every message under {@code pins.corpus} to {@code pins.out}, when both are set. */
    @Test
    void corpusDigestsOnRequest() throws IOException {
        String corpus = System.getProperty("pins.corpus");
        String out = System.getProperty("pins.out");
        if (corpus == null || out == null) {
            return;
        }
        Path root = Path.of(corpus);
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".eml")).sorted()
                .toList()) {
                lines.add(pin(root.relativize(file).toString(), Files.readAllBytes(file), true));
            }
        }
        Files.write(Path.of(out), lines);
        assertThat(lines).isNotEmpty();
    }

    private static String pin(String name, byte[] raw, boolean allFeatures) {
        MailContent content = PARSER.parse(raw);
        List<Long> tokens = tokens(content);
        long[] sorted = tokens.stream().mapToLong(Long::longValue).sorted().toArray();
        String line = name + "\t" + sorted.length + "\t" + Arrays.stream(sorted).distinct().count() + "\t"
            + digest(Arrays.toString(sorted)) + "\t" + digest(describe(content));
        if (allFeatures) {
            List<Long> features = new ArrayList<>();
            EXTRACTOR.extract(content, SessionFacts.none(), features::add);
            line += "\t" + digest(features.stream().sorted().toList().toString());
        }
        return line;
    }

    private static List<Long> tokens(MailContent content) {
        List<Long> tokens = new ArrayList<>();
        FeatureExtractor.words(content, tokens::add);
        return tokens;
    }

    /** Everything the parser hands the signals, spelled out. */
    private static String describe(MailContent content) {
        StringBuilder out = new StringBuilder();
        for (HeaderField header : content.headers()) {
            out.append("H ").append(header.name()).append('\0').append(header.value()).append('\n');
        }
        out.append("P ").append(content.plainText()).append('\n');
        out.append("T ").append(content.htmlText()).append('\n');
        out.append("F ").append(content.hasPlain()).append(content.hasHtml()).append(content.size()).append('\n');
        for (Link link : content.links()) {
            out.append("L ").append(link.href()).append('\0').append(link.text()).append('\n');
        }
        for (Attachment a : content.attachments()) {
            out.append("A ").append(a.fileName()).append(a.declaredType()).append(a.size()).append(a.depth())
                .append(digest(new String(a.content(), StandardCharsets.ISO_8859_1))).append('\n');
        }
        content.problems().forEach(p -> out.append("X ").append(p).append('\n'));
        return out.toString();
    }

    private static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String resource(String name) {
        return new String(resourceBytes(name), StandardCharsets.UTF_8);
    }

    /** A test resource's bytes (the pinned corpus messages are under {@code pins/}). */
    static byte[] resourceBytes(String name) {
        try (InputStream in = TokenPinsTest.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
