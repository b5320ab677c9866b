package org.mailroom.sorter.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MailFolderReaderTest {
    @TempDir
    Path dir;

    private static String text(MailFolderReader.RawMessage m) {
        return new String(m.bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void splitsAnMboxAndUndoesFromQuoting() throws IOException {
        Path mbox = Files.writeString(dir.resolve("inbox.mbox"), """
            From alice@example.test Mon Mar  2 10:00:00 2026
            Subject: one

            hello
            >From the start
            From here on, not a separator (no blank line before)

            From bob@example.test Mon Mar  2 11:00:00 2026
            Subject: two

            bye
            """);
        List<MailFolderReader.RawMessage> messages = MailFolderReader.read(mbox);

        assertThat(messages).hasSize(2);
        assertThat(text(messages.get(0))).isEqualTo("Subject: one\n\nhello\nFrom the start\n"
            + "From here on, not a separator (no blank line before)\n");
        assertThat(text(messages.get(1))).isEqualTo("Subject: two\n\nbye");
        assertThat(messages.get(1).origin()).endsWith("inbox.mbox#2");
    }

    @Test
    void readsAMaildirRecursivelySkippingDotFiles() throws IOException {
        Files.createDirectories(dir.resolve("cur"));
        Files.createDirectories(dir.resolve("new"));
        Files.writeString(dir.resolve("cur/1.eml"), "Subject: a\r\n\r\nx\r\n");
        Files.writeString(dir.resolve("new/2.eml"), "Subject: b\r\n\r\ny\r\n");
        Files.writeString(dir.resolve(".dovecot.index"), "junk");

        assertThat(MailFolderReader.read(dir)).extracting(MailFolderReaderTest::text).containsExactly(
            "Subject: a\r\n\r\nx\r\n", "Subject: b\r\n\r\ny\r\n");
    }

    @Test
    void aMissingPathIsNamed() {
        assertThatThrownBy(() -> MailFolderReader.read(dir.resolve("nope"))).isInstanceOf(IOException.class)
            .hasMessageContaining("nope: no such file or directory");
    }
}
