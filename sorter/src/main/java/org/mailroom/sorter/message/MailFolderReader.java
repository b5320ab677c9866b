package org.mailroom.sorter.message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads the raw messages of a mail folder, whatever its format: a Maildir (or any directory of one-message files,
 * read recursively in name order, dot files skipped), an mbox file (messages separated by {@code From } lines,
 * mboxrd {@code >From } quoting undone), or a single message file. Loads the messages into memory.
 */
public final class MailFolderReader {
    /** Files bigger than this are not treated as one message (a mailbox too big for memory is refused). */
    private static final long MAX_FILE_BYTES = 1L << 30;

    /** One message read from a folder; {@code origin} names it for reports ({@code file} or {@code file#n}). */
    public record RawMessage(String origin, byte[] bytes) {
    }

    private MailFolderReader() {
    }

    /** Every message under {@code path}; an {@link IOException} names the path that could not be read. */
    public static List<RawMessage> read(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            List<RawMessage> out = new ArrayList<>();
            try (Stream<Path> files = Files.walk(path)) {
                for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString()
                    .startsWith(".")).sorted().toList()) {
                    out.addAll(readFile(file));
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            return out;
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException(path + ": no such file or directory");
        }
        return readFile(path);
    }

    private static List<RawMessage> readFile(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException(file + ": larger than " + MAX_FILE_BYTES + " bytes");
        }
        byte[] bytes = Files.readAllBytes(file);
        if (!startsWithFromLine(bytes, 0)) {
            return List.of(new RawMessage(file.toString(), bytes));
        }
        return splitMbox(file.toString(), bytes);
    }

    /**
     * Splits an mbox at lines starting {@code From } that follow an empty line (or begin the file); each message
     * keeps its {@code From } line out and has one {@code >} removed from {@code >From }-quoted lines (mboxrd).
     */
    static List<RawMessage> splitMbox(String origin, byte[] bytes) {
        List<RawMessage> out = new ArrayList<>();
        int start = -1;
        int lineStart = 0;
        boolean previousBlank = true;
        while (lineStart < bytes.length) {
            int lineEnd = lineStart;
            while (lineEnd < bytes.length && bytes[lineEnd] != '\n') {
                lineEnd++;
            }
            int next = Math.min(lineEnd + 1, bytes.length);
            if (previousBlank && startsWithFromLine(bytes, lineStart)) {
                if (start >= 0) {
                    out.add(message(origin, out.size() + 1, bytes, start, lineStart));
                }
                start = next;
            }
            boolean blank = lineEnd == lineStart || (lineEnd == lineStart + 1 && bytes[lineStart] == '\r');
            previousBlank = blank;
            lineStart = next;
        }
        if (start >= 0 && start < bytes.length) {
            out.add(message(origin, out.size() + 1, bytes, start, bytes.length));
        }
        return out;
    }

    private static RawMessage message(String origin, int number, byte[] bytes, int from, int to) {
        // The newline before the next From line belongs to the mbox, not the message.
        int end = to;
        if (end > from && bytes[end - 1] == '\n') {
            end--;
            if (end > from && bytes[end - 1] == '\r') {
                end--;
            }
        }
        byte[] raw = Arrays.copyOfRange(bytes, from, Math.max(from, end));
        return new RawMessage(origin + "#" + number, unquoteFromLines(raw));
    }

    private static byte[] unquoteFromLines(byte[] raw) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(raw.length);
        int lineStart = 0;
        while (lineStart < raw.length) {
            int i = lineStart;
            while (i < raw.length && raw[i] == '>') {
                i++;
            }
            boolean quoted = i > lineStart && startsWithFromLine(raw, i);
            int lineEnd = lineStart;
            while (lineEnd < raw.length && raw[lineEnd] != '\n') {
                lineEnd++;
            }
            int next = Math.min(lineEnd + 1, raw.length);
            out.write(raw, quoted ? lineStart + 1 : lineStart, next - (quoted ? lineStart + 1 : lineStart));
            lineStart = next;
        }
        return out.toByteArray();
    }

    private static boolean startsWithFromLine(byte[] b, int at) {
        return at + 5 <= b.length && b[at] == 'F' && b[at + 1] == 'r' && b[at + 2] == 'o' && b[at + 3] == 'm'
            && b[at + 4] == ' ';
    }
}
