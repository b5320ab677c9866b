package org.mailroom.imap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import javax.mail.Flags;

import org.apache.james.imap.api.ImapCommand;
import org.apache.james.imap.api.Tag;
import org.apache.james.imap.api.message.IdRange;
import org.apache.james.imap.api.message.UidRange;
import org.apache.james.imap.encode.ImapResponseComposer;
import org.apache.james.imap.message.Literal;

/**
 * James's composer, except that a literal of at most {@link #MAX_INLINE} octets goes into the response buffer with
 * the rest of the response. James's own composer flushes the buffer before every literal and writes the literal as
 * a netty {@code ChunkedStream} (a FETCH of a 3 KB body: the line before it, the header, the body and the line after
 * it written and flushed separately, each its own TLS record); with this the whole response is one write.
 */
final class WholeLiteralComposer implements ImapResponseComposer {
    /** Larger literals are streamed as James does, so a big message is never held in memory whole. */
    static final int MAX_INLINE = 64 * 1024;

    private final ImapResponseComposer james;

    WholeLiteralComposer(ImapResponseComposer james) {
        this.james = james;
    }

    @Override
    public ImapResponseComposer literal(Literal literal) throws IOException {
        long size = literal.size();
        if (size <= 0 || size > MAX_INLINE) {
            james.literal(literal);
            return this;
        }
        byte[] prefix = ("{" + size + "}\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[prefix.length + (int) size];
        System.arraycopy(prefix, 0, bytes, 0, prefix.length);
        try (InputStream in = literal.getInputStream()) {
            int read = in.readNBytes(bytes, prefix.length, (int) size);
            if (read != size) {
                throw new IOException("literal of " + size + " octets ended after " + read);
            }
        }
        // message() writes the space James's literal() writes before the brace, then the bytes as they are
        james.message(bytes);
        return this;
    }

    @Override
    public void flush() throws IOException {
        james.flush();
    }

    @Override
    public ImapResponseComposer untaggedNoResponse(String displayMessage, String responseCode) throws IOException {
        james.untaggedNoResponse(displayMessage, responseCode);
        return this;
    }

    @Override
    public ImapResponseComposer flags(Flags flags) throws IOException {
        james.flags(flags);
        return this;
    }

    @Override
    public ImapResponseComposer nil() throws IOException {
        james.nil();
        return this;
    }

    @Override
    public ImapResponseComposer untaggedResponse(String message) throws IOException {
        james.untaggedResponse(message);
        return this;
    }

    @Override
    public ImapResponseComposer untagged() throws IOException {
        james.untagged();
        return this;
    }

    @Override
    public ImapResponseComposer commandName(ImapCommand command) throws IOException {
        james.commandName(command);
        return this;
    }

    @Override
    public ImapResponseComposer message(String message) throws IOException {
        james.message(message);
        return this;
    }

    @Override
    public ImapResponseComposer message(byte[] message) throws IOException {
        james.message(message);
        return this;
    }

    @Override
    public ImapResponseComposer message(long number) throws IOException {
        james.message(number);
        return this;
    }

    @Override
    public ImapResponseComposer mailbox(String mailboxName) throws IOException {
        james.mailbox(mailboxName);
        return this;
    }

    @Override
    public ImapResponseComposer sequenceSet(UidRange[] ranges) throws IOException {
        james.sequenceSet(ranges);
        return this;
    }

    @Override
    public ImapResponseComposer sequenceSet(IdRange[] ranges) throws IOException {
        james.sequenceSet(ranges);
        return this;
    }

    @Override
    public ImapResponseComposer end() throws IOException {
        james.end();
        return this;
    }

    @Override
    public ImapResponseComposer tag(Tag tag) throws IOException {
        james.tag(tag);
        return this;
    }

    @Override
    public ImapResponseComposer quote(String message) throws IOException {
        james.quote(message);
        return this;
    }

    @Override
    public ImapResponseComposer quote(char message) throws IOException {
        james.quote(message);
        return this;
    }

    @Override
    public ImapResponseComposer openParen() throws IOException {
        james.openParen();
        return this;
    }

    @Override
    public ImapResponseComposer closeParen() throws IOException {
        james.closeParen();
        return this;
    }

    @Override
    public ImapResponseComposer quoteUpperCaseAscii(String message) throws IOException {
        james.quoteUpperCaseAscii(message);
        return this;
    }

    @Override
    public ImapResponseComposer skipNextSpace() throws IOException {
        james.skipNextSpace();
        return this;
    }

    @Override
    public ImapResponseComposer continuationResponse(String message) throws IOException {
        james.continuationResponse(message);
        return this;
    }

    @Override
    public ImapResponseComposer continuationResponse() throws IOException {
        james.continuationResponse();
        return this;
    }

    @Override
    public ImapResponseComposer closeSquareBracket() throws IOException {
        james.closeSquareBracket();
        return this;
    }

    @Override
    public ImapResponseComposer openSquareBracket() throws IOException {
        james.openSquareBracket();
        return this;
    }
}
