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
 * ({@link MailroomImapEncoder}). A batch taken while more lines follow ({@link Builder#takeBatch()}) is flushed to
 * the connection as soon as it is encoded, so the client reads it while the next one is made.
 */
final class FetchLines implements ImapResponseMessage {
    private static final byte[] NEXT_LINE = "\r\n* ".getBytes(StandardCharsets.US_ASCII);
    /** What the composer adds around the lines: {@code "* "} before them, CRLF after. */
    private static final int FRAMING = 4;

    private final byte[] lines;
    private final boolean flush;

    private FetchLines(byte[] lines, boolean flush) {
        this.lines = lines;
        this.flush = flush;
    }

    void writeTo(ImapResponseComposer composer) throws IOException {
        // untagged() writes "*", message() a space and the bytes, end() the CRLF (and flushes a full buffer)
        composer.untagged().message(lines).end();
        if (flush) {
            composer.flush();
        }
    }

    @Override
    public String toString() {
        return "* " + new String(lines, StandardCharsets.US_ASCII);
    }

    /**
     * Collects response lines and hands them on in batches of whole lines of at most {@code batchBytes} as written
     * (framing included; a longer line goes alone), the first one at most {@code firstBatchBytes}. Why the sizes: a
     * TLS record carries 16 KB, so a batch of 16 KB (or a multiple) is sent as full records, where a batch a line
     * over it went out as a full record and a record of a few bytes; and a small first batch reaches the client
     * while the rest is encoded, so that its reading of the lines starts at once.
     */
    static final class Builder {
        private final int batchBytes;
        private int limit;
        private byte[] buffer;
        private int size;
        /** Where the last line started (its separator included): a batch ends there when the line overflows it. */
        private int lastLineAt;

        Builder(int firstBatchBytes, int batchBytes) {
            this.batchBytes = batchBytes;
            this.limit = Math.min(firstBatchBytes, batchBytes);
            this.buffer = new byte[Math.min(batchBytes + 256, 4096)];
        }

        /** Starts a line: what is written next is the line after its {@code "* "}, without its CRLF. */
        Builder startLine() {
            lastLineAt = size;
            if (size > 0) {
                write(NEXT_LINE);
            }
            return this;
        }

        /** Whether the lines written so far fill a batch, to be taken with {@link #takeBatch()}. */
        boolean batchReady() {
            return size + FRAMING >= limit;
        }

        boolean isEmpty() {
            return size == 0;
        }

        /**
         * The whole lines before the last one when the last one overflows the batch (the last one then starts the
         * next batch), else every line: a response flushed when written, since more lines follow.
         */
        FetchLines takeBatch() {
            boolean overflows = size + FRAMING > limit && lastLineAt > 0;
            limit = batchBytes;
            if (!overflows) {
                return take(true);
            }
            FetchLines batch = new FetchLines(Arrays.copyOf(buffer, lastLineAt), true);
            int next = lastLineAt + NEXT_LINE.length;
            System.arraycopy(buffer, next, buffer, 0, size - next);
            size -= next;
            lastLineAt = 0;
            return batch;
        }

        /** The lines written since the last take, as one response; the builder is empty afterwards. */
        FetchLines take() {
            return take(false);
        }

        private FetchLines take(boolean flush) {
            FetchLines lines = new FetchLines(Arrays.copyOf(buffer, size), flush);
            size = 0;
            lastLineAt = 0;
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
            if (value < 0 || value > Integer.MAX_VALUE) {
                // sizes above 2 GB and MODSEQs past 2^31 (never negative for IMAP numbers): exact rather than fast
                return writeAscii(Long.toString(value));
            }
            // int arithmetic: a division by 10 is a multiplication, where a long's is not on every JIT tier
            int rest = (int) value;
            int digits = digits(rest);
            ensure(digits);
            int at = size + digits;
            do {
                buffer[--at] = (byte) ('0' + rest % 10);
                rest /= 10;
            } while (rest > 0);
            size += digits;
            return this;
        }

        private static int digits(int value) {
            int digits = 1;
            for (int bound = 10; digits < 10 && value >= bound; bound *= 10) {
                digits++;
            }
            return digits;
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
