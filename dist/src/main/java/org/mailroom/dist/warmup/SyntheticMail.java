package org.mailroom.dist.warmup;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Random;

/**
 * Generated messages of the shapes everyday mail has: plain text, text with an HTML alternative, a reply in a
 * thread, a mailing-list post, and mail with an attachment; sizes from a few hundred bytes to tens of kilobytes.
 * Made up from a fixed word list and a seeded random source, so every start sends the same kind of mail.
 */
final class SyntheticMail {
    private static final String[] WORDS = ("meeting report invoice project schedule budget review draft team "
        + "update weekend travel order delivery account password office friday monday agenda notes question "
        + "answer offer price discount client contract deadline lunch photos family garden holiday ticket "
        + "release server backup payment receipt shipping newsletter webinar survey feedback summary").split(" ");
    private static final String[] SENDERS = {"anna", "bruno", "chen", "dara", "emeka", "fatima", "goran", "hana"};
    private static final String[] SENDER_DOMAINS = {"example.com", "example.net", "example.org"};
    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT);

    private final Random random;
    private int sequence;

    SyntheticMail(long seed) {
        this.random = new Random(seed);
    }

    /** A sender address from the made-up correspondents. */
    String sender() {
        return SENDERS[random.nextInt(SENDERS.length)] + "@" + SENDER_DOMAINS[random.nextInt(SENDER_DOMAINS.length)];
    }

    /** The next message from {@code from} to {@code to}, its shape chosen in turn. */
    byte[] next(String from, String to) {
        int n = sequence++;
        StringBuilder message = new StringBuilder(4096);
        header(message, "From", from);
        header(message, "To", to);
        header(message, "Subject", sentence(3 + random.nextInt(6)));
        header(message, "Date", DATE.format(ZonedDateTime.now().minusMinutes(random.nextInt(600))));
        header(message, "Message-ID", "<warm-up." + n + "." + random.nextInt(1_000_000) + "@" + domain(from) + ">");
        header(message, "MIME-Version", "1.0");
        switch (n % 5) {
            case 0 -> plain(message, 3 + random.nextInt(20));
            case 1 -> alternative(message);
            case 2 -> {
                header(message, "In-Reply-To", "<warm-up." + Math.max(0, n - 2) + "@" + domain(to) + ">");
                header(message, "References", "<warm-up." + Math.max(0, n - 2) + "@" + domain(to) + ">");
                plain(message, 2 + random.nextInt(8));
            }
            case 3 -> {
                header(message, "List-Id", "<news." + domain(from) + ">");
                header(message, "List-Unsubscribe", "<mailto:leave@" + domain(from) + ">");
                header(message, "Precedence", "bulk");
                alternative(message);
            }
            default -> withAttachment(message);
        }
        return message.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void plain(StringBuilder message, int paragraphs) {
        header(message, "Content-Type", "text/plain; charset=UTF-8");
        header(message, "Content-Transfer-Encoding", "8bit");
        message.append("\r\n").append(paragraphs(paragraphs));
    }

    private void alternative(StringBuilder message) {
        String boundary = boundary();
        String text = paragraphs(2 + random.nextInt(12));
        header(message, "Content-Type", "multipart/alternative; boundary=\"" + boundary + "\"");
        message.append("\r\n--").append(boundary).append("\r\n")
            .append("Content-Type: text/plain; charset=UTF-8\r\n\r\n").append(text)
            .append("--").append(boundary).append("\r\n")
            .append("Content-Type: text/html; charset=UTF-8\r\n\r\n<html><body>")
            .append(text.replace("\r\n\r\n", "</p><p>")).append("<a href=\"https://www.")
            .append(SENDER_DOMAINS[random.nextInt(SENDER_DOMAINS.length)]).append("/")
            .append(WORDS[random.nextInt(WORDS.length)]).append("\">")
            .append(sentence(3)).append("</a></body></html>\r\n")
            .append("--").append(boundary).append("--\r\n");
    }

    private void withAttachment(StringBuilder message) {
        String boundary = boundary();
        header(message, "Content-Type", "multipart/mixed; boundary=\"" + boundary + "\"");
        StringBuilder table = new StringBuilder("item,quantity,price\r\n");
        for (int row = 0, rows = 20 + random.nextInt(400); row < rows; row++) {
            table.append(WORDS[random.nextInt(WORDS.length)]).append(',').append(random.nextInt(100)).append(',')
                .append(random.nextInt(10_000) / 100.0).append("\r\n");
        }
        message.append("\r\n--").append(boundary).append("\r\n")
            .append("Content-Type: text/plain; charset=UTF-8\r\n\r\n").append(paragraphs(2))
            .append("--").append(boundary).append("\r\n")
            .append("Content-Type: text/csv; name=\"").append(WORDS[random.nextInt(WORDS.length)]).append(".csv\"\r\n")
            .append("Content-Disposition: attachment; filename=\"report.csv\"\r\n")
            .append("Content-Transfer-Encoding: base64\r\n\r\n")
            .append(Base64.getMimeEncoder().encodeToString(table.toString().getBytes(StandardCharsets.UTF_8)))
            .append("\r\n--").append(boundary).append("--\r\n");
    }

    private String paragraphs(int count) {
        StringBuilder text = new StringBuilder();
        for (int p = 0; p < count; p++) {
            for (int s = 0, sentences = 1 + random.nextInt(5); s < sentences; s++) {
                text.append(sentence(5 + random.nextInt(12))).append(". ");
            }
            text.append("\r\n\r\n");
        }
        return text.toString();
    }

    private String sentence(int words) {
        StringBuilder sentence = new StringBuilder();
        for (int w = 0; w < words; w++) {
            String word = WORDS[random.nextInt(WORDS.length)];
            sentence.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : " " + word);
        }
        return sentence.toString();
    }

    private String boundary() {
        return "=_part_" + Long.toHexString(random.nextLong());
    }

    private static String domain(String address) {
        return address.substring(address.indexOf('@') + 1);
    }

    private static void header(StringBuilder message, String name, String value) {
        message.append(name).append(": ").append(value).append("\r\n");
    }
}
