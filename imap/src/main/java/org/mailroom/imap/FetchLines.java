package org.mailroom.imap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.james.imap.api.message.response.ImapResponseMessage;
import org.apache.james.imap.encode.ImapResponseComposer;

/**
 * Untagged FETCH responses already encoded by Mailroom ({@link MetadataFetch}, {@link WholeMessageFetch}: a line
 * may hold a literal), handed to the responder as one message so that a FETCH of many messages costs no response
 * object per message. The lines are kept without the
 * first line's leading {@code "* "} and the last line's CRLF: James's composer writes those
 * ({@link MailroomImapEncoder}).
 */
final class FetchLines implements ImapResponseMessage {
    private static final byte[] NEXT_LINE = "\r\n* ".getBytes(StandardCharsets.US_ASCII);

    private final byte[] lines;

    private FetchLines(byte[] lines) {
        this.lines = lines;
    }

    void writeTo(ImapResponseComposer composer) throws IOException {
        // untagged() writes "*", message() a space and the bytes, end() the CRLF (and flushes a full buffer)
        composer.untagged().message(lines).end();
    }

    @Override
    public String toString() {
        return "* " + new String(lines, StandardCharsets.US_ASCII);
    }

    /** Collects response lines and hands them on in batches of about {@code batchBytes}. */
    static final class Builder {
        private final int batchBytes;
        private byte[] buffer;
        private int size;

        Builder(int batchBytes) {
            this.batchBytes = batchBytes;
            this.buffer = new byte[Math.min(batchBytes + 256, 4096)];
        }

        /** Starts a line: what is written next is the line after its {@code "* "}, without its CRLF. */
        Builder startLine() {
            if (size > 0) {
                write(NEXT_LINE);
            }
            return this;
        }

        /** Whether a batch is full and should be taken with {@link #take()}. */
        boolean full() {
            return size >= batchBytes;
        }

        boolean isEmpty() {
            return size == 0;
        }

        /** The lines written since the last take, as one response; the builder is empty afterwards. */
        FetchLines take() {
            FetchLines lines = new FetchLines(Arrays.copyOf(buffer, size));
            size = 0;
            return lines;
        }

        Builder write(byte[] bytes) {
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buffer, size, bytes.length);
            size += bytes.length;
            return this;
        }

        Builder write(byte b) {
            ensure(1);
            buffer[size++] = b;
            return this;
        }

        /** An ASCII text (keywords are IMAP atoms, so ASCII). */
        Builder writeAscii(String text) {
            int length = text.length();
            ensure(length);
            for (int i = 0; i < length; i++) {
                buffer[size++] = (byte) text.charAt(i);
            }
            return this;
        }

        Builder writeNumber(long value) {
            if (value < 0) {
                // never happens for IMAP numbers; kept exact rather than fast
                return writeAscii(Long.toString(value));
            }
            ensure(20);
            int digits = 1;
            for (long rest = value / 10; rest > 0; rest /= 10) {
                digits++;
            }
            int at = size + digits;
            long rest = value;
            do {
                buffer[--at] = (byte) ('0' + (int) (rest % 10));
                rest /= 10;
            } while (rest > 0);
            size += digits;
            return this;
        }

        /** {@code value} in {@code places} digits, zero-padded. */
        Builder writePadded(int value, int places) {
            ensure(places);
            for (int i = places - 1; i >= 0; i--) {
                buffer[size + i] = (byte) ('0' + value % 10);
                value /= 10;
            }
            size += places;
            return this;
        }

        private void ensure(int more) {
            if (size + more > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
            }
        }
    }
}
