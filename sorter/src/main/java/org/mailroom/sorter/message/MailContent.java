package org.mailroom.sorter.message;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A message parsed once for every signal: its top-level headers, its text, its links and its attachments. Built by
 * {@link MailParser}; immutable (the HTML's visible text and the parsed address headers are worked out on first
 * use, since most mail has a plain-text part and most signals never read them).
 *
 * <p>Accessors, in the order of the full constructor:
 * {@code headers} the top-level header fields in order;
 * {@code plainText} the text of the {@code text/plain} parts, concatenated (empty when none);
 * {@code htmlText} the visible text of the {@code text/html} parts (empty when none);
 * {@code hasPlain}, {@code hasHtml} whether any {@code text/plain} / {@code text/html} body part exists;
 * {@code links} the links of the HTML parts; {@code attachments} the other parts;
 * {@code size} the raw message size in bytes;
 * {@code problems} what was wrong with the message's structure (broken MIME, nesting too deep, limits hit), in
 * words, empty for a well-formed message;
 * {@code attachmentText} text extracted from the attachments (PDF, Office, HTML...) by the sorter's attachment
 * inspection, within its limits; empty before inspection or when there is none.
 */
public final class MailContent {
    private final List<HeaderField> headers;
    private final String plainText;
    private final Lazy<String> htmlText;
    private final boolean hasPlain;
    private final boolean hasHtml;
    private final List<Link> links;
    private final List<Attachment> attachments;
    private final long size;
    private final List<String> problems;
    private final String attachmentText;
    // Address headers are asked for by several signals and rules per message; parsed once each.
    private final Lazy<List<MailAddress>> from = new Lazy<>(() -> addresses("From"));
    private final Lazy<List<MailAddress>> to = new Lazy<>(() -> addresses("To"));
    private final Lazy<List<MailAddress>> cc = new Lazy<>(() -> addresses("Cc"));
    private final Lazy<List<MailAddress>> replyTo = new Lazy<>(() -> addresses("Reply-To"));

    public MailContent(List<HeaderField> headers, String plainText, String htmlText, boolean hasPlain,
                       boolean hasHtml, List<Link> links, List<Attachment> attachments, long size,
                       List<String> problems, String attachmentText) {
        this(headers, plainText, Lazy.of(Objects.requireNonNull(htmlText, "htmlText")), hasPlain, hasHtml, links,
            attachments, size, problems, attachmentText);
    }

    /** A message as the MIME parser sees it, before attachment inspection. */
    public MailContent(List<HeaderField> headers, String plainText, String htmlText, boolean hasPlain,
                       boolean hasHtml, List<Link> links, List<Attachment> attachments, long size,
                       List<String> problems) {
        this(headers, plainText, htmlText, hasPlain, hasHtml, links, attachments, size, problems, "");
    }

    /** The parser's constructor: the HTML's visible text is extracted only if someone asks for it. */
    MailContent(List<HeaderField> headers, String plainText, Supplier<String> htmlText, boolean hasPlain,
                boolean hasHtml, List<Link> links, List<Attachment> attachments, long size, List<String> problems) {
        this(headers, plainText, new Lazy<>(htmlText), hasPlain, hasHtml, links, attachments, size, problems, "");
    }

    private MailContent(List<HeaderField> headers, String plainText, Lazy<String> htmlText, boolean hasPlain,
                        boolean hasHtml, List<Link> links, List<Attachment> attachments, long size,
                        List<String> problems, String attachmentText) {
        this.headers = List.copyOf(headers);
        this.plainText = Objects.requireNonNull(plainText, "plainText");
        this.htmlText = htmlText;
        this.hasPlain = hasPlain;
        this.hasHtml = hasHtml;
        this.links = List.copyOf(links);
        this.attachments = List.copyOf(attachments);
        this.size = size;
        this.problems = List.copyOf(problems);
        this.attachmentText = Objects.requireNonNull(attachmentText, "attachmentText");
    }

    /** This message with inspected attachments and their extracted text. */
    public MailContent withAttachments(List<Attachment> inspected, String extractedText) {
        return new MailContent(headers, plainText, htmlText, hasPlain, hasHtml, links, inspected, size, problems,
            extractedText);
    }

    /** This message with other top-level headers (everything else, including work not yet done, kept). */
    public MailContent withHeaders(List<HeaderField> replaced) {
        return new MailContent(replaced, plainText, htmlText, hasPlain, hasHtml, links, attachments, size, problems,
            attachmentText);
    }

    /** This message with another raw size (delivery parses only the beginning of a very large message). */
    public MailContent withSize(long replaced) {
        return new MailContent(headers, plainText, htmlText, hasPlain, hasHtml, links, attachments, replaced,
            problems, attachmentText);
    }

    public List<HeaderField> headers() {
        return headers;
    }

    public String plainText() {
        return plainText;
    }

    public String htmlText() {
        return htmlText.get();
    }

    public boolean hasPlain() {
        return hasPlain;
    }

    public boolean hasHtml() {
        return hasHtml;
    }

    public List<Link> links() {
        return links;
    }

    public List<Attachment> attachments() {
        return attachments;
    }

    public long size() {
        return size;
    }

    public List<String> problems() {
        return problems;
    }

    public String attachmentText() {
        return attachmentText;
    }

    /** The first value of the named header (case-insensitive), if present. */
    public Optional<String> header(String name) {
        for (HeaderField field : headers) {
            if (field.name().equalsIgnoreCase(name)) {
                return Optional.of(field.value());
            }
        }
        return Optional.empty();
    }

    /** Every value of the named header (case-insensitive), in order. */
    public List<String> headerValues(String name) {
        List<String> values = null;
        for (HeaderField field : headers) {
            if (field.name().equalsIgnoreCase(name)) {
                if (values == null) {
                    values = new java.util.ArrayList<>(2);
                }
                values.add(field.value());
            }
        }
        return values == null ? List.of() : List.copyOf(values);
    }

    public String subject() {
        return header("Subject").orElse("");
    }

    public List<MailAddress> from() {
        return from.get();
    }

    public List<MailAddress> to() {
        return to.get();
    }

    public List<MailAddress> cc() {
        return cc.get();
    }

    public List<MailAddress> replyTo() {
        return replyTo.get();
    }

    /** The mailboxes of every instance of an address header (groups flattened); unparseable entries skipped. */
    public List<MailAddress> addresses(String headerName) {
        List<MailAddress> all = null;
        for (HeaderField field : headers) {
            if (field.name().equalsIgnoreCase(headerName)) {
                List<MailAddress> parsed = Addresses.parse(field.value());
                if (all == null) {
                    all = parsed;
                } else {
                    all = new java.util.ArrayList<>(all);
                    all.addAll(parsed);
                }
            }
        }
        return all == null ? List.of() : List.copyOf(all);
    }

    /** The body text a reader sees: the plain text when there is any, otherwise the HTML's visible text. */
    public String text() {
        return plainText.isBlank() ? htmlText() : plainText;
    }

    /** The lower-cased {@code Content-Type} of the whole message without parameters ({@code text/plain} default). */
    public String contentType() {
        String type = header("Content-Type").orElse("text/plain");
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MailContent that && hasPlain == that.hasPlain && hasHtml == that.hasHtml
            && size == that.size && headers.equals(that.headers) && plainText.equals(that.plainText)
            && htmlText().equals(that.htmlText()) && links.equals(that.links)
            && attachments.equals(that.attachments) && problems.equals(that.problems)
            && attachmentText.equals(that.attachmentText);
    }

    @Override
    public int hashCode() {
        return Objects.hash(headers, plainText, hasPlain, hasHtml, links, attachments, size, problems);
    }

    @Override
    public String toString() {
        return "MailContent[headers=" + headers.size() + ", plainText=" + plainText.length() + " chars, hasHtml="
            + hasHtml + ", links=" + links.size() + ", attachments=" + attachments.size() + ", size=" + size
            + ", problems=" + problems + "]";
    }

    /** A value computed at most once, on first use; safe to share between threads (the value is immutable). */
    private static final class Lazy<T> {
        private Supplier<T> supplier;
        private volatile T value;

        Lazy(Supplier<T> supplier) {
            this.supplier = supplier;
        }

        static <T> Lazy<T> of(T value) {
            Lazy<T> lazy = new Lazy<>(null);
            lazy.value = value;
            return lazy;
        }

        T get() {
            T result = value;
            if (result == null) {
                synchronized (this) {
                    result = value;
                    if (result == null) {
                        result = Objects.requireNonNull(supplier.get());
                        value = result;
                        supplier = null; // lets what it needed (an HTML tree) be collected
                    }
                }
            }
            return result;
        }
    }
}
