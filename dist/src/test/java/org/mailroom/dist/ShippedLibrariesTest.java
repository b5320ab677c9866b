package org.mailroom.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The libraries dist ships in {@code lib/} (this module's runtime class path) work together where one needs a newer
 * version of another than the rest of the tree asks for. Maven picks the nearest declaration, not the highest: James
 * 3.8.1 brought commons-lang3 3.12 while commons-compress 1.28 (Tika's archive detection and parsing, used on every
 * archive attachment the sorter inspects) calls 3.13+ classes, and every tar entry failed with a
 * {@code NoClassDefFoundError} in the server while the sorter's own tests (which resolve 3.20) passed.
 */
class ShippedLibrariesTest {

    @Test
    void tarArchivesReadAndWriteWithTheShippedCommonsLang() throws Exception {
        byte[] content = "quarterly figures\n".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
            TarArchiveEntry entry = new TarArchiveEntry("report.txt");
            entry.setSize(content.length);
            out.putArchiveEntry(entry);
            out.write(content);
            out.closeArchiveEntry();
        }

        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar.toByteArray()))) {
            TarArchiveEntry entry = in.getNextEntry();
            assertThat(entry.getName()).isEqualTo("report.txt");
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
    }
}
