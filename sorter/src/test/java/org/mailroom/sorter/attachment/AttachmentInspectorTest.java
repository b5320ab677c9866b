package org.mailroom.sorter.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.mailroom.sorter.Category;
import org.mailroom.sorter.Decision;
import org.mailroom.sorter.IncomingMail;
import org.mailroom.sorter.Score;
import org.mailroom.sorter.SessionFacts;
import org.mailroom.sorter.Sorter;
import org.mailroom.sorter.message.Attachment;
import org.mailroom.sorter.message.MailContent;
import org.mailroom.sorter.message.MailParser;
import org.mailroom.sorter.rules.UserRules;

class AttachmentInspectorTest {

    // The time budget is the one limit widened here: these tests are about what extraction finds, and a CI machine
    // running two modules' tests at once can take over 2 s for a cold Office parse. The budget has its own test.
    private static final AttachmentInspector INSPECTOR = new AttachmentInspector(AttachmentInspector.Limits.defaults()
        .withTimeBudget(Duration.ofSeconds(30)));
    private static final Sorter SORTER = new Sorter(UserRules.none(), List.of(new ExecutableAttachment(),
        new DisguisedAttachment(), new UninspectableAttachment()), INSPECTOR);

    @org.junit.jupiter.api.BeforeAll
    static void warmUp() {
        INSPECTOR.warmUp();
    }

    @AfterAll
    static void close() {
        INSPECTOR.close();
    }

    static byte[] pdf(String text) throws Exception {
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage();
            document.addPage(page);
            try (PDPageContentStream stream = new PDPageContentStream(document, page)) {
                stream.beginText();
                stream.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                stream.newLineAtOffset(50, 700);
                stream.showText(text);
                stream.endText();
            }
            document.save(out);
            return out.toByteArray();
        }
    }

    static byte[] docx(String text) throws Exception {
        try (XWPFDocument document = new XWPFDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            document.createParagraph().createRun().setText(text);
            document.write(out);
            return out.toByteArray();
        }
    }

    /** 50 MB of zeros, nested zips: a few hundred KB on the wire. */
    static byte[] zipBomb() throws Exception {
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(inner)) {
            zip.putNextEntry(new ZipEntry("zeros.bin"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 50; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        return zipOf("bomb.zip", inner.toByteArray());
    }

    static byte[] zipOf(String name, byte[] content) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    /** The smallest bytes Tika takes for a Windows program: MZ header pointing at a PE signature. */
    static byte[] windowsProgram() {
        byte[] exe = new byte[512];
        exe[0] = 'M';
        exe[1] = 'Z';
        exe[0x3c] = (byte) 0x80;
        exe[0x80] = 'P';
        exe[0x81] = 'E';
        return exe;
    }

    static IncomingMail mailWith(String fileName, String declaredType, byte[] content) {
        String message = "From: someone@example.net\r\nTo: alice@example.test\r\nSubject: see attached\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
            + "Content-Type: text/plain\r\n\r\nPlease see the attachment.\r\n--b\r\n"
            + "Content-Type: " + declaredType + "\r\nContent-Disposition: attachment; filename=\"" + fileName
            + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + Base64.getMimeEncoder().encodeToString(content)
            + "\r\n--b--\r\n";
        return incoming(message.getBytes(StandardCharsets.US_ASCII));
    }

    static IncomingMail incoming(byte[] raw) {
        return new IncomingMail("alice@example.test", Optional.empty(), SessionFacts.none(),
            new MailParser().parse(raw), Instant.now());
    }

    private static Attachment inspected(IncomingMail mail) {
        return INSPECTOR.inspect(mail.content()).attachments().get(0);
    }

    @Test
    void extractsPdfAndWordTextIntoTheContent() throws Exception {
        MailContent content = INSPECTOR.inspect(mailWith("report.pdf", "application/pdf",
            pdf("Quarterly figures for the board")).content());
        assertThat(content.attachmentText()).contains("Quarterly figures for the board");
        assertThat(content.attachments().get(0).detectedType()).contains("application/pdf");
        assertThat(content.attachments().get(0).problem()).isEmpty();

        MailContent word = INSPECTOR.inspect(mailWith("notes.docx", "application/octet-stream",
            docx("Minutes of the meeting")).content());
        assertThat(word.attachmentText()).contains("Minutes of the meeting");
        assertThat(word.attachments().get(0).detectedType())
            .contains("application/vnd.openxmlformats-officedocument.wordprocessingml.document");

        Decision decision = SORTER.sort(mailWith("report.pdf", "application/pdf", pdf("hello")));
        assertThat(decision.scores()).isEmpty();
        assertThat(decision.category()).isEqualTo(Category.INBOX);
    }

    @Test
    void aProgramNamedLikeAPdfIsDisguisedAndExecutable() {
        IncomingMail mail = mailWith("invoice.pdf", "application/pdf", windowsProgram());
        assertThat(inspected(mail).detectedType()).hasValueSatisfying(t -> assertThat(t).contains("ms"));
        Decision decision = SORTER.sort(mail);
        assertThat(decision.category()).isEqualTo(Category.SPAM);
        assertThat(decision.scores()).extracting(Score::signal)
            .contains("attachment-executable", "attachment-disguised");
    }

    @Test
    void programsByNameAndInsideZipsAndMacroDocumentsAreExecutables() throws Exception {
        assertThat(SORTER.sort(mailWith("setup.exe", "application/octet-stream", new byte[] {1, 2, 3}))
            .scores()).extracting(Score::reason).containsExactly("program attached: setup.exe");
        assertThat(SORTER.sort(mailWith("docs.zip", "application/zip", zipOf("docs/readme.js",
            "WScript.Echo(1)".getBytes(StandardCharsets.US_ASCII)))).scores())
            .extracting(Score::reason).containsExactly("docs.zip: archive holds a program: docs/readme.js");
        assertThat(SORTER.sort(mailWith("budget.xlsm", "application/octet-stream", new byte[] {1})).scores())
            .extracting(Score::value).containsExactly(2.0);
    }

    @Test
    void aZipBombIsReportedQuicklyWithoutExpandingIt() throws Exception {
        byte[] bomb = zipBomb();
        assertThat(bomb.length).isLessThan(2 * 1024 * 1024);
        long start = System.nanoTime();
        Decision decision = SORTER.sort(mailWith("photos.zip", "application/zip", bomb));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(millis).isLessThan(1500);
        assertThat(decision.scores()).extracting(Score::signal).containsExactly("attachment-uninspectable");
        assertThat(decision.scores().get(0).reason()).startsWith("photos.zip: zip bomb: inflates to more than");
        assertThat(decision.category()).isEqualTo(Category.SPAM);
    }

    @Test
    void aTruncatedPdfEndsExtractionGracefully() throws Exception {
        byte[] whole = pdf("This will be cut");
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length / 3);
        long start = System.nanoTime();
        Decision decision = SORTER.sort(mailWith("scan.pdf", "application/pdf", truncated));
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1500);
        // PDFBox repairs what it can; either no text or a recorded failure, never an exception or a stall.
        assertThat(decision.category()).isNotNull();
        assertThat(decision.scores()).allSatisfy(s -> assertThat(s.value()).isLessThanOrEqualTo(0.5));
    }

    @Test
    void fiftyLevelsOfNestedMimeAreCutAndScored() {
        StringBuilder message = new StringBuilder("From: a@example.net\r\nSubject: deep\r\nMIME-Version: 1.0\r\n");
        for (int level = 0; level < 50; level++) {
            message.append("Content-Type: multipart/mixed; boundary=b").append(level).append("\r\n\r\n--b")
                .append(level).append("\r\n");
        }
        message.append("Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=x.pdf\r\n\r\n"
            + "%PDF-1.4 garbage\r\n");
        for (int level = 49; level >= 0; level--) {
            message.append("--b").append(level).append("--\r\n");
        }
        long start = System.nanoTime();
        Decision decision = SORTER.sort(incoming(message.toString().getBytes(StandardCharsets.US_ASCII)));
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1500);
        assertThat(decision.scores()).extracting(Score::reason).containsExactly("MIME nesting deeper than 20");
    }

    @Test
    void aStuckExtractionIsAbandonedAtTheTimeBudget() throws Exception {
        try (AttachmentInspector slow = new AttachmentInspector(AttachmentInspector.Limits.defaults()
            .withTimeBudget(Duration.ofMillis(1)))) {
            MailContent content = slow.inspect(mailWith("big.pdf", "application/pdf",
                pdf("x".repeat(60))).content());
            // Either it finished within 1 ms (unlikely) or it was abandoned with a problem naming the budget.
            assertThat(content.attachments().get(0).problem())
                .satisfiesAnyOf(p -> assertThat(p).isEmpty(),
                    p -> assertThat(p).contains("text extraction took longer than 1 ms"));
        }
    }

    @Test
    void disguiseIgnoresSloppyButHarmlessNames() {
        assertThat(DisguisedAttachment.sameKind("image/jpeg", "image/png")).isTrue();
        assertThat(DisguisedAttachment.sameKind("application/msword",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document")).isTrue();
        assertThat(DisguisedAttachment.sameKind("application/pdf", "application/x-msdownload")).isFalse();
        assertThat(DisguisedAttachment.sameKind("image/jpeg", "application/zip")).isFalse();
    }
}
