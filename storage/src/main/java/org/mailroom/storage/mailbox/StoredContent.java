package org.mailroom.storage.mailbox;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import org.apache.james.mailbox.model.Content;
import org.mailroom.storage.schema.Database;

/**
 * The bytes of a stored message, read from {@code mr_message} only when asked for. Header and body are
 * separate columns: a caller that reads only the header (FETCH ENVELOPE, BODY[HEADER]) never loads the body.
 * Bytes fetched together with the metadata row are passed in and not read again.
 */
final class StoredContent implements Content {
    private final Database db;
    private final String messageId;
    private final long size;
    private volatile byte[] header;
    private volatile byte[] body;

    StoredContent(Database db, String messageId, long size, byte[] header, byte[] body) {
        this.db = db;
        this.messageId = messageId;
        this.size = size;
        this.header = header;
        this.body = body;
    }

    @Override
    public InputStream getInputStream() throws IOException {
        return new SequenceInputStream(new ByteArrayInputStream(header()), new LazyStream(this::body));
    }

    @Override
    public long size() {
        return size;
    }

    private byte[] header() {
        byte[] bytes = header;
        if (bytes == null) {
            bytes = load("header_bytes");
            header = bytes;
        }
        return bytes;
    }

    private byte[] body() {
        byte[] bytes = body;
        if (bytes == null) {
            bytes = load("body_bytes");
            body = bytes;
        }
        return bytes;
    }

    private byte[] load(String column) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM mr_message WHERE id = ?")) {
                ps.setString(1, messageId);
                try (ResultSet rs = ps.executeQuery()) {
                    // A message expunged meanwhile reads as empty rather than failing a FETCH half-way.
                    return rs.next() ? rs.getBytes(1) : new byte[0];
                }
            }
        });
    }

    /** Opens the underlying bytes on the first read. */
    private static final class LazyStream extends InputStream {
        private final java.util.function.Supplier<byte[]> loader;
        private InputStream delegate;

        LazyStream(java.util.function.Supplier<byte[]> loader) {
            this.loader = loader;
        }

        private InputStream delegate() {
            if (delegate == null) {
                delegate = new ByteArrayInputStream(loader.get());
            }
            return delegate;
        }

        @Override
        public int read() throws IOException {
            return delegate().read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return delegate().read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            return delegate == null ? 0 : delegate.available();
        }
    }
}
