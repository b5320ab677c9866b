package org.mailroom.sorter.attachment;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.tika.detect.DefaultDetector;
import org.apache.tika.detect.Detector;
import org.apache.tika.extractor.EmbeddedDocumentExtractor;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.html.JSoupParser;
import org.apache.tika.parser.microsoft.OfficeParser;
import org.apache.tika.parser.microsoft.ooxml.OOXMLParser;
import org.apache.tika.parser.microsoft.rtf.RTFParser;
import org.apache.tika.parser.pdf.PDFParser;
import org.apache.tika.parser.pdf.PDFParserConfig;
import org.apache.tika.sax.WriteOutContentHandler;
import org.mailroom.sorter.ContentInspection;
import org.mailroom.sorter.message.Attachment;
import org.mailroom.sorter.message.MailContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xml.sax.ContentHandler;
import org.xml.sax.SAXException;

/**
 * Finds the real type of every attachment from its bytes (Apache Tika's detectors) and extracts its text (PDF, Word,
 * Excel, PowerPoint, RTF, HTML), so that rules and signals see what the attachment is rather than what it claims.
 *
 * <p>Bounded in every direction, because attachments are attacker-controlled: at most {@code maxAttachments} are
 * looked at; extraction runs on a small pool of its own threads and the message waits at most {@code timeBudget}
 * for all of them (a slow or stuck parse is abandoned and the pool's bounded queue refuses work beyond it); text is
 * cut at {@code maxTextChars}; documents embedded in documents are not parsed at all (so nesting cannot explode);
 * zip archives are walked by {@link ArchiveCheck} with inflation, entry and depth limits. Whatever goes wrong
 * becomes the attachment's {@code problem} for the signals to weigh, never an exception.
 */
public final class AttachmentInspector implements ContentInspection, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AttachmentInspector.class);
    /** Types worth extracting text from; the rest (images, archives, programs) only get their type detected. */
    private static final Set<String> EXTRACTED = Set.of("application/pdf", "application/msword",
        "application/vnd.ms-excel", "application/vnd.ms-powerpoint", "application/rtf", "text/html",
        "application/xhtml+xml");
    private static final String OOXML_PREFIX = "application/vnd.openxmlformats-officedocument.";
    private static final String MS_PREFIX = "application/vnd.ms-";
    /** How a timeout is reported; not spam evidence by itself, since a busy server times out honest files too. */
    static final String TIMED_OUT = "text extraction took longer than ";

    /** The limits; {@link #defaults()} keeps inspection well under the time SMTP clients wait for a reply. */
    public record Limits(int maxAttachments, int maxTextChars, Duration timeBudget, long maxInflatedBytes,
                         int maxArchiveEntries, int maxArchiveDepth, int threads, int queue) {

        public static Limits defaults() {
            return new Limits(20, 100_000, Duration.ofSeconds(2), 20L * 1024 * 1024, 1_000, 3, 2, 32);
        }

        public Limits withTimeBudget(Duration budget) {
            return new Limits(maxAttachments, maxTextChars, budget, maxInflatedBytes, maxArchiveEntries,
                maxArchiveDepth, threads, queue);
        }
    }

    private final Limits limits;
    private final Detector detector;
    private final AutoDetectParser parser;
    private final ArchiveCheck archives;
    private final ThreadPoolExecutor executor;

    public AttachmentInspector(Limits limits) {
        this.limits = limits;
        this.detector = new DefaultDetector();
        this.parser = new AutoDetectParser(detector, pdfParser(), new OfficeParser(), new OOXMLParser(),
            new RTFParser(), new JSoupParser());
        this.archives = new ArchiveCheck(limits.maxInflatedBytes(), limits.maxArchiveEntries(),
            limits.maxArchiveDepth(), 100);
        AtomicInteger count = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(limits.threads(), limits.threads(), 60, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(limits.queue()), runnable -> {
                Thread thread = new Thread(runnable, "mailroom-attachment-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** PDF text only: no OCR (no OCR engine is shipped, and a PDF of few words would otherwise ask for one). */
    private static PDFParser pdfParser() {
        PDFParser pdf = new PDFParser();
        PDFParserConfig config = new PDFParserConfig();
        config.setOcrStrategy(PDFParserConfig.OCR_STRATEGY.NO_OCR);
        config.setExtractInlineImages(false);
        pdf.setPDFParserConfig(config);
        return pdf;
    }

    /**
     * Loads Tika's parsers once (the first PDF or Office parse of a JVM loads thousands of classes and takes
     * seconds), so the first real message is not judged against a cold start. Blocks; call it off the start path.
     */
    public void warmUp() {
        for (String type : List.of("application/pdf", "application/vnd.openxmlformats-officedocument."
            + "wordprocessingml.document", "application/msword", "text/html", "application/rtf")) {
            try {
                parse(new byte[] {'%', 'P', 'D', 'F', '-', '1', '.', '4', '\n'}, type, 100);
            } catch (IOException | SAXException | RuntimeException expected) {
                // The bytes are not a valid document of that type; loading the parser was the point.
            }
        }
        detect(new byte[] {'P', 'K', 3, 4});
    }

    @Override
    public MailContent inspect(MailContent content) {
        if (content.attachments().isEmpty()) {
            return content;
        }
        long deadline = System.nanoTime() + limits.timeBudget().toNanos();
        List<Attachment> inspected = new ArrayList<>(content.attachments().size());
        StringBuilder text = new StringBuilder();
        int index = 0;
        for (Attachment attachment : content.attachments()) {
            if (index++ >= limits.maxAttachments()) {
                inspected.add(attachment);
                continue;
            }
            inspected.add(inspectOne(attachment, text, deadline));
        }
        return content.withAttachments(inspected, text.toString());
    }

    private Attachment inspectOne(Attachment attachment, StringBuilder text, long deadline) {
        Optional<String> type = detect(attachment.content());
        Optional<String> problem = Optional.empty();
        String effective = type.orElse(attachment.declaredType());
        if (isZip(effective) && attachment.complete()) {
            ArchiveCheck.Result result = archives.check(attachment.content());
            problem = result.problem();
            if (problem.isEmpty()) {
                problem = result.entryNames().stream()
                    .filter(name -> Executables.kindByName(name).isPresent()).findFirst()
                    .map(name -> Executables.INSIDE_ARCHIVE + name);
            }
        } else if (extractable(effective) && attachment.complete()) {
            int room = limits.maxTextChars() - text.length();
            if (room > 0) {
                problem = extract(attachment, effective, room, deadline, text);
            }
        }
        return attachment.inspected(type, problem);
    }

    /** The type from the bytes alone (no name: the name is what we check it against). */
    private Optional<String> detect(byte[] bytes) {
        try (TikaInputStream in = TikaInputStream.get(bytes)) {
            MediaType type = detector.detect(in, new Metadata());
            return type == null || MediaType.OCTET_STREAM.equals(type) ? Optional.empty()
                : Optional.of(type.getBaseType().toString());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean isZip(String type) {
        return type.equals("application/zip") || type.equals("application/x-zip-compressed");
    }

    private static boolean extractable(String type) {
        return EXTRACTED.contains(type) || type.startsWith(OOXML_PREFIX)
            || (type.startsWith(MS_PREFIX) && type.contains("macroenabled"));
    }

    private Optional<String> extract(Attachment attachment, String type, int room, long deadline,
                                     StringBuilder text) {
        Future<String> work;
        try {
            work = executor.submit(() -> parse(attachment.content(), type, room));
        } catch (RejectedExecutionException busy) {
            // Our own capacity, not the attachment's fault: no problem recorded, the text is just missing.
            LOG.warn("attachment text not extracted: extraction pool busy");
            return Optional.empty();
        }
        try {
            String extracted = work.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (!extracted.isBlank()) {
                if (!text.isEmpty()) {
                    text.append('\n');
                }
                text.append(extracted.strip());
            }
            return Optional.empty();
        } catch (TimeoutException slow) {
            work.cancel(true);
            return Optional.of(TIMED_OUT + limits.timeBudget().toMillis() + " ms");
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause();
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            LOG.debug("attachment text extraction failed", failed.getCause());
            return Optional.of("text extraction failed: " + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + firstLine(cause.getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            work.cancel(true);
            return Optional.empty();
        }
    }

    private String parse(byte[] bytes, String type, int room) throws IOException, SAXException {
        WriteOutContentHandler handler = new WriteOutContentHandler(room);
        Metadata metadata = new Metadata();
        metadata.set(Metadata.CONTENT_TYPE, type);
        ParseContext context = new ParseContext();
        context.set(EmbeddedDocumentExtractor.class, NO_EMBEDDED);
        try (InputStream in = TikaInputStream.get(new ByteArrayInputStream(bytes))) {
            parser.parse(in, handler, metadata, context);
        } catch (SAXException | org.apache.tika.exception.TikaException e) {
            if (!org.apache.tika.exception.WriteLimitReachedException.isWriteLimitReached(e)) {
                throw new IOException(e.getMessage(), e);
            }
            // Text longer than the room left: what fits is kept.
        } catch (StackOverflowError | OutOfMemoryError deep) {
            throw new IOException("document too complex: " + deep.getClass().getSimpleName());
        }
        return handler.toString();
    }

    /** Embedded documents are not opened: one level of document is enough to judge mail, and it bounds nesting. */
    private static final EmbeddedDocumentExtractor NO_EMBEDDED = new EmbeddedDocumentExtractor() {
        @Override
        public boolean shouldParseEmbedded(Metadata metadata) {
            return false;
        }

        @Override
        public void parseEmbedded(InputStream stream, ContentHandler handler, Metadata metadata, boolean outputHtml) {
            // never called: shouldParseEmbedded is false
        }
    };

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 120 ? line.substring(0, 120) : line;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
