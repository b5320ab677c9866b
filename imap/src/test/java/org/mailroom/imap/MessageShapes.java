package org.mailroom.imap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Messages of the shapes a MIME parser meets, for comparing Mailroom's FETCH answers with James's. */
final class MessageShapes {
    private MessageShapes() {
    }

    /** Each message's bytes, in a fixed order (the first a plain message, the second multipart with a forward). */
    static List<byte[]> all() {
        List<byte[]> all = new ArrayList<>();
        all.add(crlf(
            "From: \"Bob Sender\" <bob@example.org>",
            "To: Alice <alice@example.test>, carol@example.net",
            "Cc: dave@example.net",
            "Reply-To: replies@example.org",
            "Subject: Quarterly report",
            "Date: Mon, 3 Feb 2020 10:00:00 +0000",
            "Message-ID: <quarterly@example.org>",
            "In-Reply-To: <earlier@example.org>",
            "",
            "Plain text.",
            ""));
        all.add(crlf(
            "From: bob@example.org",
            "To: alice@example.test",
            "Subject: Forward with attachment",
            "Date: Tue, 4 Feb 2020 11:00:00 +0100",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"outer\"",
            "",
            "preamble",
            "--outer",
            "Content-Type: multipart/alternative; boundary=inner",
            "",
            "--inner",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "Gr=C3=BC=C3=9Fe",
            "--inner",
            "Content-Type: text/html; charset=\"utf-8\"",
            "Content-Language: de, en",
            "",
            "<p>Gr&uuml;&szlig;e</p>",
            "--inner--",
            "--outer",
            "Content-Type: message/rfc822",
            "Content-Description: forwarded",
            "",
            "From: carol@example.net",
            "To: bob@example.org",
            "Subject: Original note",
            "Date: Sun, 2 Feb 2020 09:00:00 +0000",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=us-ascii",
            "",
            "The original.",
            "--outer",
            "Content-Type: application/pdf; name=\"report.pdf\"",
            "Content-Disposition: attachment; filename=\"report.pdf\"; size=12",
            "Content-Transfer-Encoding: base64",
            "Content-ID: <part3@example.org>",
            "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==",
            "Content-Location: http://example.org/report.pdf",
            "",
            "JVBERi0xLjQKJcOkw7zDtsOfCg==",
            "--outer--",
            "epilogue",
            ""));
        all.add(crlf(
            "From: =?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <juergen@example.de>",
            "To: =?iso-8859-1?Q?Andr=E9?= <andre@example.fr>, undisclosed-recipients:;",
            "Cc: Team: a@example.net, \"B, the second\" <b@example.net>;",
            "Subject: =?UTF-8?Q?Caf=C3=A9_=E2=82=AC?= and plain",
            "Date: Wed, 5 Feb 2020 12:00:00 -0500 (EST)",
            "Message-ID: <encoded@example.de>",
            "References: <a@example.org>",
            " <b@example.org>",
            "Content-Type: text/plain; charset=\"utf-8\"; format=flowed",
            "",
            "Body.",
            ""));
        byte[] eightBit = ("From: Jürgen <j@example.de>\r\nSubject: Grüße aus Köln\r\nTo: ä@example.de\r\n"
            + "Content-Type: text/plain\r\n\r\n8-bit body: é\r\n").getBytes(StandardCharsets.ISO_8859_1);
        all.add(eightBit);
        all.add(("From: Zoë <z@example.de>\r\nSubject: Ünïcödé in UTF-8\r\n\r\nUTF-8 body ✓\r\n")
            .getBytes(StandardCharsets.UTF_8));
        all.add(crlf(
            "From: broken@example.org",
            "Subject: multipart without its closing boundary",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"never-closed\"",
            "",
            "--never-closed",
            "Content-Type: text/plain",
            "",
            "first part",
            "--never-closed",
            "Content-Type: image/png",
            "Content-Transfer-Encoding: base64",
            "",
            "iVBORw0KGgo="));
        all.add(crlf(
            "From: nobound@example.org",
            "Subject: multipart without a boundary parameter",
            "Content-Type: multipart/mixed",
            "",
            "just text",
            ""));
        all.add(crlf(
            "Subject: no body at all",
            "From: empty@example.org",
            "",
            ""));
        all.add("Subject: header only, no blank line\r\nFrom: x@example.org\r\n".getBytes(StandardCharsets.US_ASCII));
        all.add("From: lf@example.org\nSubject: LF-only lines\nContent-Type: text/plain\n\nline one\nline two\n"
            .getBytes(StandardCharsets.US_ASCII));
        all.add(crlf(
            "From: <>",
            "Sender: \"Mailer Daemon\" <MAILER-DAEMON@example.org>",
            "To: not an address at all, @@broken",
            "Subject:",
            "Date: not a date",
            "Content-Type: text/plain; charset=unknown-8bit; name*=UTF-8''%E2%82%AC.txt",
            "Content-Transfer-Encoding: 8bit",
            "X-Long: " + "a-long-folded-value ".repeat(20).trim(),
            "",
            "x",
            ""));
        all.add(crlf(
            "From: digest@example.org",
            "Subject: a digest",
            "MIME-Version: 1.0",
            "Content-Type: multipart/digest; boundary=d",
            "",
            "--d",
            "",
            "Subject: first in digest",
            "",
            "one",
            "--d",
            "Content-Type: message/rfc822",
            "",
            "Subject: second, itself multipart",
            "Content-Type: multipart/mixed; boundary=x",
            "",
            "--x",
            "Content-Type: text/plain",
            "",
            "two",
            "--x--",
            "--d--",
            ""));
        all.add(crlf(
            "Subject: only text/html",
            "Content-Type: TEXT/HTML; CHARSET=ISO-8859-1",
            "Content-Disposition: inline",
            "",
            "<html></html>",
            ""));
        return all;
    }

    /** A corpus file's bytes without the mbox {@code From } line many start with. */
    static byte[] withoutMboxLine(byte[] message) {
        if (message.length > 5 && new String(message, 0, 5, StandardCharsets.US_ASCII).equals("From ")) {
            for (int i = 0; i < message.length; i++) {
                if (message[i] == '\n') {
                    return Arrays.copyOfRange(message, i + 1, message.length);
                }
            }
        }
        return message;
    }

    private static byte[] crlf(String... lines) {
        return String.join("\r\n", lines).getBytes(StandardCharsets.US_ASCII);
    }
}
