package org.mailroom.imap;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.netty.buffer.ByteBuf;

/**
 * A command whose literal is too large to hold in memory (APPEND of a big message), written to a temporary file as
 * its bytes arrive, and which decides when the command is complete: after the command line so far, the literal and
 * the end of the line, which may be CRLF or a bare LF (the literal's own last byte may be the CR of a CRLF it
 * counted). Exactly the command's bytes are taken from the connection; what follows them (a pipelined command) stays
 * in the connection's buffer.
 */
final class LiteralSpool implements AutoCloseable {
    private final Path file;
    private final OutputStream out;
    /** Bytes up to and including the first byte after the literal. */
    private final long firstEndOfLineAt;
    private long written;
    private byte last;
    private boolean complete;

    /**
     * @param firstEndOfLineAt how many bytes from the start of the command up to and including the first byte after
     *                         the literal
     */
    LiteralSpool(long firstEndOfLineAt) throws IOException {
        this.firstEndOfLineAt = firstEndOfLineAt;
        this.file = Files.createTempFile("mailroom-imap-literal", ".tmp");
        try {
            this.out = Files.newOutputStream(file);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** Takes from {@code in} what belongs to the command, no more; returns whether the command is now complete. */
    boolean take(ByteBuf in) {
        try {
            if (written < firstEndOfLineAt) {
                int n = (int) Math.min(in.readableBytes(), firstEndOfLineAt - written);
                if (n > 0) {
                    last = in.getByte(in.readerIndex() + n - 1);
                    in.readBytes(out, n);
                    written += n;
                }
                if (written < firstEndOfLineAt) {
                    return false;
                }
                if (last != '\r') {
                    // a bare LF ends the line (anything else is left for the parser to refuse)
                    return finish();
                }
            }
            if (!in.isReadable()) {
                return false;
            }
            // the LF of the CRLF
            in.readBytes(out, 1);
            written++;
            return finish();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write a literal to " + file, e);
        }
    }

    private boolean finish() throws IOException {
        out.close();
        complete = true;
        return true;
    }

    /** The file holding the whole command, once {@link #take} returned true. */
    Path file() {
        if (!complete) {
            throw new IllegalStateException("the command is not complete yet");
        }
        return file;
    }

    /** Deletes the file (a parsed APPEND owns it and deletes it itself once the message is stored). */
    @Override
    public void close() {
        try {
            out.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + file, e);
        }
    }
}
