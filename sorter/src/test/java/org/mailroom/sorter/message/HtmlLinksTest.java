package org.mailroom.sorter.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/**
 * {@link HtmlLinks} must give exactly jsoup's links (href and {@code Element.text()} of every {@code <a href>} in
 * document order) or none at all: checked on markup that is easy to get wrong, and, with
 * {@code -Dhtml.corpus=DIR}, on every message under DIR (parsed with the scanner and with jsoup only: equal
 * {@link MailContent}, links and HTML text included).
 */
class HtmlLinksTest {

    /** jsoup's answer, as MailParser gathered it before the scanner. */
    private static List<Link> jsoupLinks(String html) {
        Document document = Jsoup.parse(html);
        List<Link> links = new ArrayList<>();
        for (Element a : document.getElementsByTag("a")) {
            if (a.hasAttr("href")) {
                links.add(new Link(a.attr("href"), a.text()));
            }
        }
        return links;
    }

    private static void sameAsJsoupOrNone(String html) {
        List<Link> scanned = HtmlLinks.scan(html);
        if (scanned != null) {
            assertThat(scanned).as(html).isEqualTo(jsoupLinks(html));
        }
    }

    private static void sameAsJsoup(String html) {
        assertThat(HtmlLinks.scan(html)).as(html).isNotNull().isEqualTo(jsoupLinks(html));
    }

    @Test
    void plainMarkupIsScannedExactly() {
        sameAsJsoup("<html><body><table><tr><td><p>x <a href=\"https://a.example/p?x=1&amp;y=2\">see <b>item</b>"
            + " 1</a></p></td></tr></table></body></html>");
        sameAsJsoup("<A HREF='http://b.example/'>Upper &amp; case&nbsp;here</A> <a name=top>no href</a>");
        sameAsJsoup("<a href=http://c.example/x>unquoted</a><a href>empty</a><a href=\"\">empty too</a>");
        sameAsJsoup("<a href=\"x\">one<br>two<br/>three</a><a href=\"y\">  spaced \r\n  out  </a>");
        sameAsJsoup("<a href=\"x\"><img src=\"i.png\">after image</a><a href=\"y\">a<img src=i>b<span>c</span></a>");
        sameAsJsoup("<a href=\"x\"><img src=\"i.png\"></a><a href=\"z\">t<img src=i><!-- c -->u</a>");
        sameAsJsoup("<a href=\"x\" href=\"second\">first href wins</a>");
        sameAsJsoup("<style>a { color: red } <a href=no>x</a></style><title>t <a href=no></title>"
            + "<a href=yes>y</a><!-- <a href=no>commented</a> --><a href=z>&#65;&#x42;&copy</a>");
        sameAsJsoup("<!DOCTYPE html><!-->still<a href=1>1</a><!---><a href=2>2</a><!-- a -- b --!><a href=3>3</a>");
        sameAsJsoup("<p>a < b <a href=\"q\">less &lt; than</a></p><a href=\"u\">\u200Bzero\u00A0width</a>");
        sameAsJsoup("<div><a href=\"x\"><font color=red><b>nested</b> inline</font></a></div>text<a href=w>w</a>");
    }

    @Test
    void markupWhoseTreeJsoupRearrangesIsLeftToJsoup() {
        // Each of these jsoup re-nests, clones, moves or reads differently; the scanner must not guess.
        String[] tricky = {
            "<a href=1>unclosed <p>para <a href=2>two",
            "<p><a href=1>closed by p</p><p>reconstructed",
            "<a href=1><b>misnested</a> bold</b>",
            "<table><tr><td>x</td></tr><a href=1>fostered</a></table><a href=2>after</a>",
            "<table><b>x</b><tr><td><a href=1>in cell</a></td></tr></table>",
            "<pre><a href=1>  keep   spaces </a></pre>",
            "<a href=1><div>block inside</div></a>",
            "<svg><a href=1>svg link</a></svg>",
            "<script><!--<a href=1>x</a>--></script><a href=2>y</a>",
            "<a href=1/>self closed<a href=2>x</a>",
            "<a href=\"1>unterminated",
            "<a href=1>x<![CDATA[y]]></a>",
            "<select><option><a href=1>o</a></select>",
            "<a href=1>nul\0</a>",
        };
        for (String html : tricky) {
            sameAsJsoupOrNone(html);
        }
        assertThat(HtmlLinks.scan(tricky[0])).isNull();
        assertThat(HtmlLinks.scan(tricky[3])).isNull();
        assertThat(HtmlLinks.scan(tricky[5])).isNull();
    }

    @Test
    void parsedContentIsTheSameWithAndWithoutTheScanner() {
        String html = "<html><body><p>Hello <a href=\"https://x.example/\">there</a></p></body></html>";
        byte[] raw = ("Subject: t\r\nContent-Type: text/html\r\n\r\n" + html).getBytes(StandardCharsets.UTF_8);
        MailContent scanned = new MailParser(MailParser.Limits.defaults(), true).parse(raw);
        MailContent jsoupOnly = new MailParser(MailParser.Limits.defaults(), false).parse(raw);
        assertThat(scanned).isEqualTo(jsoupOnly);
        assertThat(scanned.links()).containsExactly(new Link("https://x.example/", "there"));
        assertThat(scanned.htmlText()).isEqualTo("Hello there");
    }

    /** Equal parsed content (attachments by their fields: a record's array is compared by identity). */
    private static boolean sameContent(MailContent a, MailContent b) {
        return a.withAttachments(List.of(), "").equals(b.withAttachments(List.of(), ""))
            && a.attachments().size() == b.attachments().size()
            && java.util.stream.IntStream.range(0, a.attachments().size()).allMatch(i -> {
                Attachment x = a.attachments().get(i);
                Attachment y = b.attachments().get(i);
                return x.fileName().equals(y.fileName()) && x.declaredType().equals(y.declaredType())
                    && x.size() == y.size() && java.util.Arrays.equals(x.content(), y.content());
            });
    }

    /** Every message under {@code html.corpus}: same parsed content with the scanner as with jsoup alone. */
    @Test
    void corpusOnRequest() throws IOException {
        String corpus = System.getProperty("html.corpus");
        if (corpus == null) {
            return;
        }
        MailParser scanning = new MailParser(MailParser.Limits.defaults(), true);
        MailParser jsoupOnly = new MailParser(MailParser.Limits.defaults(), false);
        int messages = 0;
        int withHtml = 0;
        List<String> different = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of(corpus))) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".eml")).sorted()
                .toList()) {
                byte[] raw = Files.readAllBytes(file);
                MailContent expected = jsoupOnly.parse(raw);
                MailContent actual = scanning.parse(raw);
                messages++;
                if (expected.hasHtml()) {
                    withHtml++;
                }
                if (!sameContent(actual, expected)) {
                    different.add(file + "\n  jsoup:   " + expected.links() + "\n  scanner: " + actual.links());
                }
            }
        }
        System.out.printf("html.corpus: %d messages, %d with HTML; HTML parts: %d scanned, %d by jsoup's tree; %d"
            + " different%n", messages, withHtml, scanning.scannedHtmlParts.sum(), scanning.treeHtmlParts.sum(),
            different.size());
        different.stream().limit(20).forEach(System.out::println);
        assertThat(different).isEmpty();
    }
}
