package org.mailroom.imap;

import java.io.IOException;
import java.nio.charset.Charset;

import org.apache.commons.lang3.tuple.ImmutablePair;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.decode.DecodingException;
import org.apache.james.imap.message.Literal;
import org.apache.james.imapserver.netty.NettyImapRequestLineReader;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * James's in-memory request reader with three decoding faults of 3.8.1 fixed:
 * <ul>
 *   <li>a literal's announced size is checked against the limit before the {@code +} continuation is sent (James
 *       asked for the bytes and refused them only once they had arrived): an over-limit literal is thrown as
 *       {@link LiteralTooLarge} for {@link MailroomRequestFrameDecoder} to answer. A literal used as a string
 *       argument (not a message to APPEND) is held in memory, so its limit is the in-memory one;</li>
 *   <li>a command line that ends right after its literal with a bare LF (the literal's last byte being the CR of
 *       a CRLF counted inside it) is complete: James waited for a second end-of-line byte that never comes;</li>
 *   <li>a quoted string that meets the end of the line before its closing quote is a syntax error (BAD): James
 *       read on past the line and waited for more input forever.</li>
 * </ul>
 */
final class MailroomRequestLineReader extends NettyImapRequestLineReader {

    /** An announced literal larger than the limit; {@code synchronizing} tells whether its bytes are on the way. */
    static final class LiteralTooLarge extends RuntimeException {
        private final long size;
        private final long limit;
        private final boolean synchronizing;

        LiteralTooLarge(long size, long limit, boolean synchronizing) {
            super("literal of " + size + " bytes", null, false, false);
            this.size = size;
            this.limit = limit;
            this.synchronizing = synchronizing;
        }

        long size() {
            return size;
        }

        long limit() {
            return limit;
        }

        boolean synchronizing() {
            return synchronizing;
        }
    }

    private static final int MAX_SIZE_DIGITS = 18;

    private final ByteBuf buffer;
    private final long maxLiteralSize;
    private final long maxStringLiteralSize;
    private boolean literalEndsCommand;

    /**
     * @param maxLiteralSize       the largest literal accepted (a message to APPEND)
     * @param maxStringLiteralSize the largest literal accepted as a string argument (a name, a search key...): it is
     *                             always held in memory
     */
    MailroomRequestLineReader(Channel channel, ByteBuf buffer, boolean retry, int maxLiteralSize,
                              int maxStringLiteralSize) {
        super(channel, buffer, retry, maxLiteralSize);
        this.buffer = buffer;
        this.maxLiteralSize = maxLiteralSize;
        this.maxStringLiteralSize = Math.min(maxLiteralSize, maxStringLiteralSize);
    }

    /**
     * Whether the literal this reader last asked bytes for ends its command (APPEND's message, followed by the end
     * of the line only), so that the command can be completed from a file holding everything up to there.
     */
    boolean literalEndsCommand() {
        return literalEndsCommand;
    }

    @Override
    public ImmutablePair<Integer, Literal> consumeLiteral(boolean extraCRLF) throws IOException {
        consumeChar('{');
        StringBuilder digits = new StringBuilder();
        char next = nextChar();
        while (next >= '0' && next <= '9') {
            if (digits.length() == MAX_SIZE_DIGITS) {
                throw new LiteralTooLarge(Long.MAX_VALUE, maxLiteralSize, true);
            }
            digits.append(next);
            consume();
            next = nextChar();
        }
        if (digits.length() == 0) {
            throw new DecodingException(HumanReadableText.ILLEGAL_ARGUMENTS, "Expected a literal size");
        }
        boolean synchronizing = next != '+';
        if (!synchronizing) {
            consume();
        }
        consumeChar('}');
        consumeEndOfLine();
        long size = Long.parseLong(digits.toString());
        long limit = extraCRLF ? maxLiteralSize : maxStringLiteralSize;
        if (size > limit) {
            throw new LiteralTooLarge(size, limit, synchronizing);
        }
        literalEndsCommand = extraCRLF;
        if (synchronizing) {
            commandContinuationRequest();
        }
        return ImmutablePair.of((int) size, read((int) size, extraCRLF));
    }

    private void consumeEndOfLine() throws DecodingException {
        if (nextChar() == '\r') {
            consume();
        }
        consumeChar('\n');
    }

    @Override
    public Literal read(int size, boolean extraCRLF) throws DecodingException {
        if (!extraCRLF) {
            return super.read(size, false);
        }
        int readable = buffer.readableBytes();
        if (readable > size && buffer.getByte(buffer.readerIndex() + size) == '\n') {
            // the line ends with a bare LF just after the literal: nothing more is coming for this command
            Literal literal = super.read(size, false);
            eol();
            return literal;
        }
        try {
            return super.read(size, true);
        } catch (NotEnoughDataException e) {
            if (readable <= size && e.getNeededSize() != NotEnoughDataException.UNKNOWN_SIZE) {
                // ask for the literal and one end-of-line byte only: if it is a bare LF the line is complete, and
                // if it is a CR the next attempt asks for the LF
                throw new NotEnoughDataException(e.getNeededSize() - 1);
            }
            throw e;
        }
    }

    @Override
    protected String consumeQuoted(Charset charset) throws DecodingException {
        // nextSeen: the opening quote was peeked, so it is already out of the buffer
        int index = buffer.readerIndex() + (nextSeen ? 0 : 1);
        int end = buffer.writerIndex();
        while (index < end) {
            byte b = buffer.getByte(index);
            if (b == '\\') {
                index += 2;
            } else if (b == '"') {
                break;
            } else if (b == '\r' || b == '\n') {
                throw new DecodingException(HumanReadableText.ILLEGAL_ARGUMENTS, "Unterminated quoted string");
            } else {
                index++;
            }
        }
        return super.consumeQuoted(charset);
    }
}
