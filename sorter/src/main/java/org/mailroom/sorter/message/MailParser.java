package org.mailroom.sorter.message;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.TextBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.util.MimeUtil;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Turns raw message bytes into {@link MailContent} with mime4j (lenient: real mail is often malformed) and jsoup
 * (HTML text and links). Bounded: text per message, parts, nesting depth and attachment bytes kept are limited, and
 * hitting a limit is recorded as a problem instead of failing. Never throws for bad input.
 */
public final class MailParser {

    /** Limits that keep parsing cheap and safe for any input. */
    public record Limits(int maxTextChars, int maxParts, int maxDepth, int maxAttachmentBytes) {

        public static Limits defaults() {
            return new Limits(200_000, 200, 20, 2 * 1024 * 1024);
        }
    }

    private final Limits limits;
    private final boolean scanLinks;
    // HTML parts whose links the scanner gave, and those jsoup's tree had to (for the tests' corpus figures).
    final java.util.concurrent.atomic.LongAdder scannedHtmlParts = new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.LongAdder treeHtmlParts = new java.util.concurrent.atomic.LongAdder();

    public MailParser(Limits limits) {
        this(limits, true);
    }

    /** With {@code scanLinks} false every HTML part is parsed by jsoup (the reference the scanner is tested on). */
    MailParser(Limits limits, boolean scanLinks) {
        this.limits = limits;
        this.scanLinks = scanLinks;
    }

    public MailParser() {
        this(Limits.defaults());
    }

    public MailContent parse(byte[] raw) {
        Walk walk = new Walk();
        List<HeaderField> headers = List.of();
        Message message = null;
        try {
            message = builder().parseMessage(new ByteArrayInputStream(raw, mboxLineLength(raw),
                raw.length - mboxLineLength(raw)));
            headers = headersOf(message);
            walk.entity(message, 0);
        } catch (IOException | RuntimeException broken) {
            walk.problems.add("unparseable MIME: " + broken.getClass().getSimpleName());
        } finally {
            if (message != null) {
                // Everything kept was copied out; disposing hands mime4j's body buffers back to its per-thread
                // recycler, so the next message reuses them instead of allocating ~2x the message size again.
                message.dispose();
            }
        }
        return new MailContent(headers, walk.plainText(), walk.htmlText(), walk.hasPlain, walk.hasHtml,
            walk.links, walk.attachments, raw.length, walk.problems);
    }

    private static DefaultMessageBuilder builder() {
        DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(MimeConfig.PERMISSIVE);
        builder.setDecodeMonitor(DecodeMonitor.SILENT);
        return builder;
    }

    /** Length of a leading mbox {@code From } line (files exported from mbox keep it), 0 when none. */
    private static int mboxLineLength(byte[] raw) {
        if (raw.length < 5 || raw[0] != 'F' || raw[1] != 'r' || raw[2] != 'o' || raw[3] != 'm' || raw[4] != ' ') {
            return 0;
        }
        for (int i = 5; i < raw.length; i++) {
            if (raw[i] == '\n') {
                return i + 1;
            }
        }
        return 0;
    }

    private static List<HeaderField> headersOf(Entity entity) {
        if (entity.getHeader() == null) {
            return List.of();
        }
        List<HeaderField> fields = new ArrayList<>();
        for (Field field : entity.getHeader().getFields()) {
            String body = field.getBody() == null ? "" : field.getBody();
            fields.add(new HeaderField(field.getName(), DecoderUtil.decodeEncodedWords(unfold(body),
                DecodeMonitor.SILENT)));
        }
        return fields;
    }

    /** Joins folded lines (mime4j's RFC 5322 unfolding), without the blanks around the value. */
    static String unfold(String value) {
        return MimeUtil.unfold(value).strip();
    }

    /** The depth-first walk over the MIME tree, collecting text, links and attachments. */
    private final class Walk {
        final List<String> plainParts = new ArrayList<>(1);
        final List<HtmlPart> htmlParts = new ArrayList<>(1);
        int htmlSourceChars;
        final List<Link> links = new ArrayList<>();
        final List<Attachment> attachments = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        boolean hasPlain;
        boolean hasHtml;
        int parts;

        void entity(Entity entity, int depth) throws IOException {
            if (++parts > limits.maxParts()) {
                if (parts == limits.maxParts() + 1) {
                    problems.add("more than " + limits.maxParts() + " MIME parts");
                }
                return;
            }
            if (depth > limits.maxDepth()) {
                problems.add("MIME nesting deeper than " + limits.maxDepth());
                return;
            }
            Body body = entity.getBody();
            if (body instanceof Multipart multipart) {
                if (multipart.getBodyParts().isEmpty()) {
                    problems.add("multipart without parts");
                }
                for (Entity part : multipart.getBodyParts()) {
                    entity(part, depth + 1);
                }
            } else if (body instanceof Message nested) {
                entity(nested, depth + 1);
            } else if (body instanceof TextBody text && isBodyText(entity)) {
                String content = read(text, entity);
                if ("text/html".equals(mimeType(entity))) {
                    hasHtml = true;
                    appendHtml(content);
                } else {
                    hasPlain = true;
                    plainParts.add(content);
                }
            } else if (body instanceof SingleBody single) {
                attachments.add(attachment(entity, single, depth));
            }
        }

        private boolean isBodyText(Entity entity) {
            String type = mimeType(entity);
            boolean textType = "text/plain".equals(type) || "text/html".equals(type);
            return textType && !"attachment".equalsIgnoreCase(entity.getDispositionType());
        }

        /**
         * An HTML part's links now (every message's spam features use them), its text later. The links come from
         * {@link HtmlLinks}' one pass when it can tell them exactly, else from jsoup's tree, which is then kept for
         * the text; building that tree was most of a parse's cost, and mail with a plain part never needs the text.
         */
        private void appendHtml(String content) {
            htmlSourceChars += content.length() + 1;
            List<Link> scanned = scanLinks ? HtmlLinks.scan(content) : null;
            if (scanned != null) {
                links.addAll(scanned);
                htmlParts.add(new HtmlPart(content, null));
                scannedHtmlParts.increment();
                return;
            }
            treeHtmlParts.increment();
            Document document = Jsoup.parse(content);
            // Elements only, in document order (text nodes, the bulk of the tree, are never visited).
            Element element = document;
            while (element != null) {
                if (element.normalName().equals("a") && element.hasAttr("href")) {
                    links.add(new Link(element.attr("href"), element.text()));
                }
                element = nextInDocumentOrder(element, document);
            }
            htmlParts.add(new HtmlPart(content, document));
        }

        /**
         * The visible text of the HTML parts, as one supplier: extracted when first asked for (mail with a plain-text
         * part rarely needs it), except when it might exceed the text limit, whose problem must be known now.
         * Visible text is never longer than its HTML source, so a source within the limit cannot be truncated.
         */
        Supplier<String> htmlText() {
            if (htmlParts.isEmpty()) {
                return () -> "";
            }
            List<HtmlPart> parts = List.copyOf(htmlParts);
            int maxChars = limits.maxTextChars();
            if (htmlSourceChars > maxChars) {
                String text = visibleText(parts, maxChars, problems);
                return () -> text;
            }
            return () -> visibleText(parts, maxChars, new ArrayList<>());
        }

        /** The plain parts' text; the usual single part within the limit as it is, without a copy. */
        String plainText() {
            if (plainParts.size() == 1 && plainParts.get(0).length() <= limits.maxTextChars()) {
                return plainParts.get(0);
            }
            StringBuilder text = new StringBuilder();
            for (String part : plainParts) {
                append(text, part, limits.maxTextChars(), problems);
            }
            return text.toString();
        }

        /**
         * The decoded text, decoded once into its String. mime4j buffered the body; its bytes are copied into this
         * thread's scratch array and decoded from there, so the only allocation per part is the String itself.
         * Read with {@code writeTo} rather than {@code getInputStream}: mime4j's buffer stays reusable only when it
         * was never turned into a stream, so disposing the message can hand it back to mime4j's recycler.
         */
        private String read(TextBody text, Entity entity) throws IOException {
            FirstBytes bytes = FirstBytes.forThisThread((int) Math.min(text.size(), limits.maxTextChars() * 4L));
            text.writeTo(bytes);
            return new String(bytes.array(), 0, bytes.count(), charsetOf(entity));
        }

        private Attachment attachment(Entity entity, SingleBody body, int depth) throws IOException {
            try (InputStream in = body.getInputStream()) {
                byte[] head = in.readNBytes(limits.maxAttachmentBytes());
                long size = head.length + in.transferTo(OutputStream.nullOutputStream());
                Optional<String> name = Optional.ofNullable(entity.getFilename()).filter(n -> !n.isBlank())
                    .map(n -> DecoderUtil.decodeEncodedWords(n, DecodeMonitor.SILENT));
                return new Attachment(name, mimeType(entity), size, head, depth);
            }
        }
    }

    /**
     * Keeps the first {@code capacity} bytes written to it and ignores the rest. One per thread, reused: a body's
     * bytes are only a step on the way to its String, and a fresh array per part was a sixth of a parse's garbage.
     */
    private static final class FirstBytes extends OutputStream {
        /** Arrays up to this size are kept for the thread's next part; larger ones (rare) are left to the GC. */
        private static final int KEEP_BYTES = 256 * 1024;
        private static final ThreadLocal<FirstBytes> SCRATCH = ThreadLocal.withInitial(() -> new FirstBytes(8192));

        private byte[] array;
        private int capacity;
        private int count;

        private FirstBytes(int capacity) {
            array = new byte[capacity];
        }

        /** This thread's scratch stream, emptied, keeping at most {@code capacity} bytes. */
        static FirstBytes forThisThread(int capacity) {
            if (capacity > KEEP_BYTES) {
                FirstBytes large = new FirstBytes(capacity);
                large.capacity = capacity;
                return large;
            }
            FirstBytes scratch = SCRATCH.get();
            if (scratch.array.length < capacity) {
                scratch.array = new byte[Math.max(capacity, Math.min(KEEP_BYTES, scratch.array.length * 2))];
            }
            scratch.capacity = capacity;
            scratch.count = 0;
            return scratch;
        }

        @Override
        public void write(int b) {
            if (count < capacity) {
                array[count++] = (byte) b;
            }
        }

        @Override
        public void write(byte[] source, int offset, int length) {
            int n = Math.min(length, capacity - count);
            if (n > 0) {
                System.arraycopy(source, offset, array, count, n);
                count += n;
            }
        }

        byte[] array() {
            return array;
        }

        int count() {
            return count;
        }
    }

    /** The element after {@code element} in a pre-order walk of {@code root}'s elements, null after the last. */
    private static Element nextInDocumentOrder(Element element, Element root) {
        Element child = element.firstElementChild();
        if (child != null) {
            return child;
        }
        for (Element at = element; at != root && at != null; at = at.parent()) {
            Element sibling = at.nextElementSibling();
            if (sibling != null) {
                return sibling;
            }
        }
        return null;
    }

    private static String visibleText(List<HtmlPart> parts, int maxChars, List<String> problems) {
        StringBuilder text = new StringBuilder();
        for (HtmlPart part : parts) {
            append(text, part.text(), maxChars, problems);
        }
        return text.toString();
    }

    /** An HTML part: its source, and jsoup's tree when the links needed it (otherwise parsed for the text). */
    private record HtmlPart(String source, Document document) {
        String text() {
            return (document != null ? document : Jsoup.parse(source)).text();
        }
    }

    /** Appends a part's text, a line break apart from the previous one, within {@code maxChars} in all. */
    private static void append(StringBuilder target, String text, int maxChars, List<String> problems) {
        int room = maxChars - target.length();
        if (room <= 0) {
            return;
        }
        if (!target.isEmpty()) {
            target.append('\n');
        }
        if (text.length() > room) {
            target.append(text, 0, room);
            problems.add("text longer than " + maxChars + " characters, truncated");
        } else {
            target.append(text);
        }
    }

    private static String mimeType(Entity entity) {
        String type = entity.getMimeType();
        return type == null ? "text/plain" : type.toLowerCase(Locale.ROOT);
    }

    private static Charset charsetOf(Entity entity) {
        String name = entity.getCharset();
        // Undeclared or US-ASCII text often carries 8-bit bytes anyway; Latin-1 decodes them without loss.
        if (name == null || name.isBlank() || name.equalsIgnoreCase("us-ascii")) {
            return StandardCharsets.ISO_8859_1;
        }
        try {
            return Charset.forName(name.strip().replace("\"", ""));
        } catch (IllegalCharsetNameException | UnsupportedCharsetException unknown) {
            // Mail that names a charset Java lacks is still mostly readable as Latin-1.
            return StandardCharsets.ISO_8859_1;
        }
    }
}
