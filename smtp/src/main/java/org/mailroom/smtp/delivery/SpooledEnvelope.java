package org.mailroom.smtp.delivery;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.MailEnvelope;

/**
 * The envelope and bytes of a message being received: kept in memory up to a threshold, then spilled to a file in
 * the spool directory, so a large message is never held whole on the heap.
 *
 * <p>{@link #close()} deletes the file once delivery is done. A transaction that ends otherwise (refused for size or
 * by the CRLF guard, connection lost mid-DATA) drops the envelope without closing it; a {@link Cleaner} then deletes
 * the file when the envelope is collected, and {@link #removeLeftovers} clears what a crash left behind.
 */
public final class SpooledEnvelope implements MailEnvelope, Closeable {

    static final String PREFIX = "mailroom-spool-";
    private static final Cleaner CLEANER = Cleaner.create();

    private final MaybeSender sender;
    private final List<MailAddress> recipients;
    private final SpillingOutputStream out;
    private final Cleaner.Cleanable cleanable;

    SpooledEnvelope(Path spool, int memoryThreshold, MaybeSender sender, List<MailAddress> recipients) {
        this.sender = sender;
        this.recipients = List.copyOf(recipients);
        this.out = new SpillingOutputStream(spool, memoryThreshold);
        this.cleanable = CLEANER.register(this, out.file);
    }

    /** Deletes spool files left by an earlier run; for start-up, before any listener accepts mail. */
    public static void removeLeftovers(Path spool) throws IOException {
        if (!Files.isDirectory(spool)) {
            return;
        }
        try (var files = Files.newDirectoryStream(spool, PREFIX + "*")) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        }
    }

    @Override
    public long getSize() {
        return out.size;
    }

    @Override
    public List<MailAddress> getRecipients() {
        return recipients;
    }

    @Override
    public MaybeSender getMaybeSender() {
        return sender;
    }

    @Override
    public OutputStream getMessageOutputStream() {
        return out;
    }

    @Override
    public InputStream getMessageInputStream() throws IOException {
        Path file = out.file.path;
        return file == null ? out.memory.reader() : Files.newInputStream(file);
    }

    /** Whether the bytes went to disk (for tests and logs). */
    public boolean spilled() {
        return out.file.path != null;
    }

    @Override
    public void close() {
        cleanable.clean();
    }

    /** The spool file, if any; also the Cleaner action, so it must not refer to the envelope. */
    private static final class SpoolFile implements Runnable {
        volatile Path path;
        OutputStream stream;

        @Override
        public void run() {
            try {
                if (stream != null) {
                    stream.close();
                }
                if (path != null) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The bytes below the threshold, read in place: the message is read several times (transaction log, sorter,
     * each recipient's append) and a copy per read was as large as the message. Reads happen once DATA has ended,
     * when nothing is written any more.
     */
    private static final class Memory extends ByteArrayOutputStream {
        Memory(int size) {
            super(size);
        }

        InputStream reader() {
            return new ByteArrayInputStream(buf, 0, count);
        }
    }

    private static final class SpillingOutputStream extends OutputStream {
        private final Path spool;
        private final int threshold;
        private final SpoolFile file = new SpoolFile();
        private Memory memory = new Memory(8192);
        private long size;

        SpillingOutputStream(Path spool, int threshold) {
            this.spool = spool;
            this.threshold = threshold;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (file.stream == null && memory.size() + length > threshold) {
                file.path = Files.createTempFile(spool, PREFIX, ".eml");
                file.stream = Files.newOutputStream(file.path);
                memory.writeTo(file.stream);
                memory = new Memory(0);
            }
            if (file.stream != null) {
                file.stream.write(bytes, offset, length);
            } else {
                memory.write(bytes, offset, length);
            }
            size += length;
        }

        @Override
        public void flush() throws IOException {
            if (file.stream != null) {
                file.stream.flush();
            }
        }

        @Override
        public void close() throws IOException {
            if (file.stream != null) {
                file.stream.close();
            }
        }
    }
}
