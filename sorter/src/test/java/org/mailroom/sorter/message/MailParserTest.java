package org.mailroom.sorter.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class MailParserTest {

    private final MailParser parser = new MailParser();

    private static byte[] mail(String text) {
        return text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsHeadersAddressesAndPlainText() {
        MailContent content = parser.parse(mail("""
            From: =?UTF-8?Q?Jos=C3=A9?= <Jose@Example.TEST>
            To: alice@example.test, "Bob" <bob@example.test>
            Subject: =?UTF-8?B?SGVsbG8gd29ybGQ=?=
             continued

            Hi there
            """));

        assertThat(content.subject()).isEqualTo("Hello world continued");
        assertThat(content.from()).containsExactly(new MailAddress("jose@example.test", "José"));
        assertThat(content.to()).extracting(MailAddress::address)
            .containsExactly("alice@example.test", "bob@example.test");
        assertThat(content.text()).contains("Hi there");
        assertThat(content.hasHtml()).isFalse();
        assertThat(content.problems()).isEmpty();
    }

    @Test
    void toleratesALeadingMboxFromLine() {
        MailContent content = parser.parse(mail("""
            From someone@example.test Mon Jan  1 00:00:00 2002
            Subject: kept

            body
            """));

        assertThat(content.subject()).isEqualTo("kept");
        assertThat(content.headers()).extracting(HeaderField::name).doesNotContain("From someone@example.test");
    }

    @Test
    void extractsHtmlTextLinksAndAttachments() {
        MailContent content = parser.parse(mail("""
            Subject: mixed
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary=b1

            --b1
            Content-Type: text/html; charset=utf-8

            <html><body><p>Click <a href="http://evil.example/x">https://bank.example/login</a></p></body></html>
            --b1
            Content-Type: application/octet-stream; name=invoice.pdf
            Content-Disposition: attachment; filename=invoice.pdf
            Content-Transfer-Encoding: base64

            TVqQAAMAAAAEAAAA
            --b1--
            """));

        assertThat(content.hasHtml()).isTrue();
        assertThat(content.text()).isEqualTo("Click https://bank.example/login");
        assertThat(content.links()).containsExactly(new Link("http://evil.example/x", "https://bank.example/login"));
        assertThat(content.attachments()).singleElement().satisfies(a -> {
            assertThat(a.fileName()).contains("invoice.pdf");
            assertThat(a.size()).isEqualTo(12);
            assertThat(a.content()[0]).isEqualTo((byte) 'M');
        });
    }

    @Test
    void alternativePartsKeepPlainTextLinksAndTheHtmlTextWhenAskedFor() {
        MailContent content = parser.parse(mail("""
            Subject: alt
            MIME-Version: 1.0
            Content-Type: multipart/alternative; boundary=a

            --a
            Content-Type: text/plain

            Plain words
            --a
            Content-Type: text/html

            <p>Html <b>words</b></p><table><tr><td>one</td><td>two</td></tr></table><a href="https://x.example/1">see</a>
            <script>document.write('<a href="https://not.a.link/">')</script><a name="anchor-only">no href</a>
            --a--
            """));

        assertThat(content.text()).isEqualTo("Plain words");
        assertThat(content.links()).containsExactly(new Link("https://x.example/1", "see"));
        assertThat(content.htmlText()).isEqualTo("Html words one two see no href");
        assertThat(content.problems()).isEmpty();
    }

    @Test
    void htmlTextOverTheLimitIsTruncatedAndSaysSo() {
        MailParser small = new MailParser(new MailParser.Limits(50, 200, 20, 1024));
        MailContent content = small.parse(mail("Subject: long\nContent-Type: text/html\n\n<p>"
            + "word ".repeat(40) + "</p>\n"));

        assertThat(content.htmlText()).hasSize(50).startsWith("word word");
        assertThat(content.problems()).containsExactly("text longer than 50 characters, truncated");
    }

    @Test
    void recordsTooDeepNestingAsAProblemInsteadOfFailing() {
        StringBuilder raw = new StringBuilder("Subject: deep\r\n");
        int depth = 40;
        for (int i = 0; i < depth; i++) {
            raw.append("Content-Type: multipart/mixed; boundary=b").append(i).append("\r\n\r\n--b").append(i)
                .append("\r\n");
        }
        raw.append("Content-Type: text/plain\r\n\r\ninnermost\r\n");
        for (int i = depth - 1; i >= 0; i--) {
            raw.append("--b").append(i).append("--\r\n");
        }

        MailContent content = new MailParser().parse(raw.toString().getBytes(StandardCharsets.US_ASCII));

        assertThat(content.problems()).anyMatch(p -> p.contains("nesting"));
        assertThat(content.text()).doesNotContain("innermost");
    }

    @Test
    void garbageIsNotAnError() {
        MailContent content = parser.parse(new byte[] {0, 1, 2, (byte) 0xff, '\n', '\n', 'x'});

        assertThat(content.size()).isEqualTo(7);
    }
}
