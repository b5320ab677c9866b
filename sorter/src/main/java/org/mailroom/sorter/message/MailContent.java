package org.mailroom.sorter.message;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A message parsed once for every signal: its top-level headers, its text, its links and its attachments. Built by
 * {@link MailParser}; immutable.
 *
 * @param headers     the top-level header fields in order
 * @param plainText   the text of the {@code text/plain} parts, concatenated (empty when none)
 * @param htmlText    the visible text of the {@code text/html} parts (empty when none)
 * @param hasPlain    whether any {@code text/plain} body part exists
 * @param hasHtml     whether any {@code text/html} body part exists
 * @param links       the links of the HTML parts
 * @param attachments the other parts
 * @param size        the raw message size in bytes
 * @param problems    what was wrong with the message's structure (broken MIME, nesting too deep, limits hit), in
 *                    words; empty for a well-formed message
 * @param attachmentText text extracted from the attachments (PDF, Office, HTML...) by the sorter's attachment
 *                    inspection, within its limits; empty before inspection or when there is none
 */
public record MailContent(List<HeaderField> headers, String plainText, String htmlText, boolean hasPlain,
                          boolean hasHtml, List<Link> links, List<Attachment> attachments, long size,
                          List<String> problems, String attachmentText) {

    /** A message as the MIME parser sees it, before attachment inspection. */
    public MailContent(List<HeaderField> headers, String plainText, String htmlText, boolean hasPlain,
                       boolean hasHtml, List<Link> links, List<Attachment> attachments, long size,
                       List<String> problems) {
        this(headers, plainText, htmlText, hasPlain, hasHtml, links, attachments, size, problems, "");
    }

    /** This message with inspected attachments and their extracted text. */
    public MailContent withAttachments(List<Attachment> inspected, String extractedText) {
        return new MailContent(headers, plainText, htmlText, hasPlain, hasHtml, links, inspected, size, problems,
            extractedText);
    }

    public MailContent {
        headers = List.copyOf(headers);
        Objects.requireNonNull(plainText, "plainText");
        Objects.requireNonNull(htmlText, "htmlText");
        links = List.copyOf(links);
        attachments = List.copyOf(attachments);
        problems = List.copyOf(problems);
        Objects.requireNonNull(attachmentText, "attachmentText");
    }

    /** The first value of the named header (case-insensitive), if present. */
    public Optional<String> header(String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(HeaderField::value).findFirst();
    }

    /** Every value of the named header (case-insensitive), in order. */
    public List<String> headerValues(String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(HeaderField::value).toList();
    }

    public String subject() {
        return header("Subject").orElse("");
    }

    public List<MailAddress> from() {
        return addresses("From");
    }

    public List<MailAddress> to() {
        return addresses("To");
    }

    public List<MailAddress> cc() {
        return addresses("Cc");
    }

    public List<MailAddress> replyTo() {
        return addresses("Reply-To");
    }

    /** The mailboxes of every instance of an address header (groups flattened); unparseable entries skipped. */
    public List<MailAddress> addresses(String headerName) {
        return headerValues(headerName).stream().flatMap(v -> Addresses.parse(v).stream()).toList();
    }

    /** The body text a reader sees: the plain text when there is any, otherwise the HTML's visible text. */
    public String text() {
        return plainText.isBlank() ? htmlText : plainText;
    }

    /** The lower-cased {@code Content-Type} of the whole message without parameters ({@code text/plain} default). */
    public String contentType() {
        String type = header("Content-Type").orElse("text/plain");
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }
}
