package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.james.imap.api.Tag;
import org.apache.james.imap.encode.ImapResponseWriter;
import org.apache.james.imap.encode.base.ImapResponseComposerImpl;
import org.apache.james.imap.message.Literal;
import org.junit.jupiter.api.Test;

/**
 * How {@link FetchLines.Builder} cuts response lines into writes: whole lines, each write at most one batch as
 * written by James's composer (so a 16 KB batch is one full TLS record), the first one smaller, and every write
 * taken mid-stream flushed to the connection at once.
 */
class FetchLinesTest {
    private static final int FIRST = 4096;
    private static final int BATCH = 16384;

    /** James's composer over a writer that records each write the connection would get. */
    private static final class RecordingWriter implements ImapResponseWriter {
        final List<byte[]> writes = new ArrayList<>();

        @Override
        public void write(byte[] buffer) {
            writes.add(buffer.clone());
        }

        @Override
        public void write(Literal literal) {
            throw new AssertionError("no literal expected");
        }

        String all() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writes.forEach(out::writeBytes);
            return out.toString(StandardCharsets.US_ASCII);
        }
    }

    /** Writes {@code lines} as the FETCH row loop does, and returns what reached the connection, write by write. */
    private static RecordingWriter written(List<String> lines) throws IOException {
        RecordingWriter writer = new RecordingWriter();
        ImapResponseComposerImpl composer = new ImapResponseComposerImpl(writer);
        FetchLines.Builder builder = new FetchLines.Builder(FIRST, BATCH);
        for (String line : lines) {
            builder.startLine().writeAscii(line);
            if (builder.batchReady()) {
                builder.takeBatch().writeTo(composer);
            }
        }
        if (!builder.isEmpty()) {
            builder.take().writeTo(composer);
        }
        composer.tag(new Tag("a")).message("OK").end();
        composer.flush();
        return writer;
    }

    private static List<String> lines(int count) {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            // lengths vary, so that batch ends fall anywhere
            lines.add(i + " FETCH (FLAGS (\\Seen" + " $Important".repeat(i % 3) + ") RFC822.SIZE " + (i * 37) + " UID " + i + ")");
        }
        return lines;
    }

    private static String expected(List<String> lines) {
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append("* ").append(line).append("\r\n"));
        return text.append("a OK\r\n").toString();
    }

    @Test
    void whole_lines_in_writes_of_at_most_one_batch_the_first_smaller() throws IOException {
        List<String> lines = lines(3000);
        RecordingWriter writer = written(lines);

        assertThat(writer.all()).isEqualTo(expected(lines));
        List<byte[]> writes = writer.writes;
        assertThat(writes.get(0).length).isLessThanOrEqualTo(FIRST).isGreaterThan(FIRST - 200);
        for (int i = 1; i < writes.size() - 1; i++) {
            // full batches: at most one TLS record's payload, and not more than a line short of it
            assertThat(writes.get(i).length).isLessThanOrEqualTo(BATCH).isGreaterThan(BATCH - 200);
        }
        for (byte[] write : writes) {
            String text = new String(write, StandardCharsets.US_ASCII);
            assertThat(text).startsWith("* ").endsWith("\r\n");
        }
    }

    @Test
    void a_few_lines_go_out_with_the_tagged_answer_in_one_write() throws IOException {
        List<String> lines = lines(20);
        RecordingWriter writer = written(lines);

        assertThat(writer.writes).hasSize(1);
        assertThat(writer.all()).isEqualTo(expected(lines));
    }

    @Test
    void a_line_longer_than_a_batch_goes_alone() throws IOException {
        List<String> lines = new ArrayList<>(lines(10));
        lines.add(5, "6 FETCH (BODY[] {20000}\r\n" + "x".repeat(20000) + ")");
        RecordingWriter writer = written(lines);

        assertThat(writer.all()).isEqualTo(expected(lines));
        assertThat(writer.writes).anySatisfy(write ->
            assertThat(new String(write, StandardCharsets.US_ASCII)).startsWith("* 6 FETCH (BODY[] {20000}").endsWith(")\r\n"));
    }

    @Test
    void numbers_as_decimal_text() {
        long[] values = {0, 7, 9, 10, 99, 100, 4096, 999_999_999, 1_000_000_000, Integer.MAX_VALUE,
            (long) Integer.MAX_VALUE + 1, 10_000_000_000L, Long.MAX_VALUE, -1};
        for (long value : values) {
            FetchLines.Builder builder = new FetchLines.Builder(FIRST, BATCH);
            builder.startLine().writeNumber(value);
            assertThat(builder.take().toString()).isEqualTo("* " + value);
        }
    }
}
