package org.mailroom.imap;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import javax.mail.Flags;

import org.apache.james.imap.api.message.BodyFetchElement;
import org.apache.james.imap.api.message.FetchData;
import org.apache.james.imap.api.message.SectionType;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.message.response.FetchResponse;
import org.apache.james.mailbox.MessageSequenceNumber;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.mailroom.storage.mailbox.MetadataRowVisitor;

/**
 * A FETCH of whole messages or their text that changes nothing ({@code BODY.PEEK[]}, {@code BODY.PEEK[TEXT]}, or
 * {@code BODY[]}/{@code RFC822} in a mailbox opened with EXAMINE), with any membership-row items beside it: answered
 * from one statement that reads the rows with their bytes ({@code MetadataRowSource.visitContentRows}). James read the
 * message through its reactive chain, built a whole message (dates, MIME properties, flags) and a message result per
 * message first: the fixed cost of each single-message FETCH. A section that sets {@code \Seen}, a partial range, a
 * part path, headers, and any other item stay with James.
 *
 * <p>A message of up to {@link WholeLiteralComposer#MAX_INLINE} octets is encoded straight into response bytes
 * ({@link #encode}, the row items by {@link MetadataFetch}, the literal copied in whole), the code the FETCH of flags
 * and sizes already runs: no {@code Flags}, {@code Date} or {@code FetchResponse} per message, none of James's
 * encoder, composer wrapper or literal streams, and several messages of a range in one response buffer. A larger one
 * is the {@code FetchResponse} James's {@code FetchResponseBuilder} would build ({@link #response}), written by James's
 * encoder, which streams its literal. Both give James's bytes ({@code MetadataFetchTest}).
 */
final class WholeMessageFetch {
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] LITERAL_OPEN = " {".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LITERAL_CLOSE = "}\r\n".getBytes(StandardCharsets.US_ASCII);

    private final MetadataFetch items;
    private final String name;
    private final byte[] nameBytes;
    private final boolean textOnly;

    private WholeMessageFetch(MetadataFetch items, String name, boolean textOnly) {
        this.items = items;
        this.name = name;
        this.nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        this.textOnly = textOnly;
    }

    /** The fetch, if it is one Mailroom answers with James's exact responses. */
    static Optional<WholeMessageFetch> of(FetchData fetch, ImapSession session) {
        if (fetch.isSetSeen() || fetch.getBodyElements().size() != 1) {
            return Optional.empty();
        }
        BodyFetchElement element = fetch.getBodyElements().iterator().next();
        SectionType section = element.getSectionType();
        if (element.getFirstOctet() != null || element.getPath() != null && element.getPath().length > 0
            || section != SectionType.CONTENT && section != SectionType.TEXT) {
            return Optional.empty();
        }
        FetchData.Builder rowItems = FetchData.builder();
        for (FetchData.Item item : FetchData.Item.values()) {
            if (fetch.contains(item)) {
                rowItems.fetch(item);
            }
        }
        return MetadataFetch.rowItems(rowItems.build(), session, false)
            .map(items -> new WholeMessageFetch(items, element.getResponseName(), section == SectionType.TEXT));
    }

    /** Whether the response carries FLAGS (so whether \Recent matters). */
    boolean flags() {
        return items.flags();
    }

    /**
     * Whether the response shows nothing a transaction changes once the message is stored (no FLAGS, no MODSEQ), so
     * that it can be answered from {@code MetadataRowSource.visitSmallMessageWithoutWaiting}.
     */
    boolean showsOnlyImmutableItems() {
        return !items.flags() && !items.modSeq();
    }

    /** Whether the message's literal is small enough for {@link #encode}; else it goes by {@link #response}. */
    boolean encodable(byte[] header, byte[] body) {
        return (long) shown(header).length + stored(body).length <= WholeLiteralComposer.MAX_INLINE;
    }

    /**
     * Appends the response of one message as James's encoder writes it (row items, then the section's name and its
     * literal); {@code sessionRecent}: the message is recent to this session.
     */
    void encode(FetchLines.Builder out, int msn, long uid, long modSeq, long internalDateMillis, long size,
                int systemFlags, String keywords, boolean sessionRecent, byte[] header, byte[] body) {
        byte[] head = shown(header);
        byte[] text = stored(body);
        if (items.writeItems(out, msn, uid, modSeq, size, internalDateMillis, systemFlags, keywords, sessionRecent)) {
            out.write((byte) ' ');
        }
        out.write(nameBytes).write(LITERAL_OPEN).writeNumber((long) head.length + text.length).write(LITERAL_CLOSE)
            .write(head).write(text).write((byte) ')');
    }

    /** The response for one message, with James's item values (\Recent of the session added to the stored flags). */
    FetchResponse response(int msn, long uid, long modSeq, long internalDateMillis, long size, int systemFlags,
                           String keywords, boolean sessionRecent, byte[] header, byte[] body) {
        int shown = sessionRecent ? systemFlags | MetadataRowVisitor.RECENT : systemFlags;
        Flags flags = items.flags() ? MetadataRowVisitor.flags(shown, keywords) : null;
        FetchResponse.BodyElement element = new StoredBytes(name, shown(header), stored(body));
        return new FetchResponse(MessageSequenceNumber.of(msn), flags, items.uid() ? MessageUid.of(uid) : null, null,
            items.modSeq() ? ModSeq.of(modSeq) : null, items.internalDate() ? new Date(internalDateMillis) : null,
            items.size() ? Long.valueOf(size) : null, null, null, null, List.of(element), null, null);
    }

    /** The header bytes the section shows: none for TEXT. */
    private byte[] shown(byte[] header) {
        return textOnly || header == null ? EMPTY : header;
    }

    private static byte[] stored(byte[] bytes) {
        return bytes == null ? EMPTY : bytes;
    }

    /** A message's stored bytes (header then body, or the body alone) as a FETCH body element. */
    static final class StoredBytes implements FetchResponse.BodyElement {
        private final String name;
        private final byte[] header;
        private final byte[] body;

        StoredBytes(String name, byte[] header, byte[] body) {
            this.name = name;
            this.header = header;
            this.body = body;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public long size() {
            return (long) header.length + body.length;
        }

        @Override
        public InputStream getInputStream() {
            return new SequenceInputStream(new ByteArrayInputStream(header), new ByteArrayInputStream(body));
        }
    }
}
