package org.mailroom.sorter.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/** HtmlText reads what jsoup's full parse gives (the oracle here), on the kinds of markup mail carries. */
class HtmlTextTest {

    private static final List<String> SAMPLES = List.of(
        "<html><head><title>Weekly offers</title><style>p { color: red }</style></head>"
            + "<body><table><tr><td>Order</td><td>now</td></tr></table><p>Save&nbsp;50&#37; &amp; more</p>"
            + "<script>var x = '<a href=\"https://evil.example\">no</a>';</script>"
            + "<a href=\"https://shop.example/p/1?a=1&amp;b=2\">see <b>item</b> 1</a> and <A HREF=https://x.example/>x</A>"
            + "<!-- hidden <a href=\"https://comment.example\">c</a> --><br>last<span>word</span></body></html>",
        "<div>one</div><div>two<br/>three</div><p>four <i>fi</i>ve</p>",
        "Plain text with a < b and c > d, no tags",
        "<p title='a > b'>quoted &gt; in attribute</p><a name=top>anchor without href</a>",
        "<!DOCTYPE html><?xml version=\"1.0\"?><ul><li>a</li><li>b</li></ul><a href=''>empty</a>",
        "<a href=\"https://a.example\">first<a href=\"https://b.example\">second</a>",
        "<p>&eacute;t&eacute; &#x263A; &copy;</p><STYLE type=\"text/css\">.x{}</STYLE>after");

    @Test
    void textAndLinksMatchAFullHtmlParse() {
        for (String html : SAMPLES) {
            Document document = Jsoup.parse(html);
            HtmlText.Result result = HtmlText.extract(html);
            assertThat(words(result.text())).as(html).isEqualTo(words(document.text()));
            List<Link> expected = document.select("a[href]").stream()
                .map((Element a) -> new Link(a.attr("href"), a.text())).toList();
            assertThat(result.links()).as(html).isEqualTo(expected);
        }
    }

    @Test
    void inlineElementsDoNotSplitWordsAndBlocksDo() {
        assertThat(HtmlText.extract("<p>he<b>llo</b></p><p>world</p>\n\n  <td>x</td>").text()).isEqualTo("hello world x");
    }

    @Test
    void brokenMarkupEndsTheTextWithoutFailing() {
        assertThat(HtmlText.extract("text <!-- never closed").text()).isEqualTo("text");
        assertThat(HtmlText.extract("text <script>never closed").text()).isEqualTo("text");
        assertThat(HtmlText.extract("text <a href=\"x").links()).isEmpty();
        assertThat(HtmlText.extract("<a href=x>open anchor").links()).containsExactly(new Link("x", "open anchor"));
        assertThat(HtmlText.extract("").text()).isEmpty();
        assertThat(HtmlText.extract("<").text()).isEqualTo("<");
    }

    @Test
    void unfoldJoinsFoldedLinesWithOneSpace() {
        assertThat(MailParser.unfold("a\r\n\t b\n c\r\nd")).isEqualTo("a b c d");
        assertThat(MailParser.unfold("  plain  ")).isEqualTo("plain");
    }

    private static List<String> words(String text) {
        return List.of(text.strip().split("\\s+"));
    }
}
