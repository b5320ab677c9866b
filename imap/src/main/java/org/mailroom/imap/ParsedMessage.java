package org.mailroom.imap;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Iterator;
import java.util.List;

import org.apache.james.mailbox.model.Header;
import org.apache.james.mailbox.model.Headers;

/**
 * What James's FETCH derives from one message by parsing it, kept so that the next FETCH of the message needs no
 * parse ({@link ParsedMessageCache}): its header fields as James's {@code ResultUtils} parsed them and its raw header
 * (for header sections), and the ENVELOPE, BODY and BODYSTRUCTURE items exactly as James's encoder wrote them (e.g.
 * {@code ENVELOPE ("date" "subject" ...)}). Immutable; {@code body} and {@code bodyStructure} are null when only the
 * header was parsed ({@link #structures}).
 */
record ParsedMessage(List<Header> headers, byte[] rawHeader, byte[] envelope, byte[] body, byte[] bodyStructure) {
    /** Fixed cost of an entry and its key beside its bytes (objects, references, the cache's node). */
    private static final int OVERHEAD = 160;

    /** Whether BODY and BODYSTRUCTURE are here (they need the whole message parsed, the rest the header alone). */
    boolean structures() {
        return bodyStructure != null;
    }

    /** An estimate of the memory held: header strings are UTF-16, the encoded items and raw header bytes. */
    int weight() {
        long chars = 0;
        for (Header header : headers) {
            chars += header.getName().length() + header.getValue().length() + 24;
        }
        return (int) Math.min(Integer.MAX_VALUE, OVERHEAD + 2 * chars + rawHeader.length + envelope.length
            + (body == null ? 0 : body.length) + (bodyStructure == null ? 0 : bodyStructure.length));
    }

    /** The header as James's {@code MessageResult.getHeaders()} gives it: the fields and the raw bytes. */
    Headers asHeaders() {
        return new Headers() {
            @Override
            public Iterator<Header> headers() {
                return ParsedMessage.this.headers.iterator();
            }

            @Override
            public InputStream getInputStream() {
                return new ByteArrayInputStream(rawHeader);
            }

            @Override
            public long size() {
                return rawHeader.length;
            }
        };
    }
}
