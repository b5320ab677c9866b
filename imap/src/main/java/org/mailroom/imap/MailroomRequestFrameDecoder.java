package org.mailroom.imap;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.ImapSessionState;
import org.apache.james.imap.api.Tag;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.decode.ImapDecoder;
import org.apache.james.imapserver.netty.ImapRequestFrameDecoder;
import org.apache.james.imapserver.netty.NettyConstants;
import org.apache.james.imapserver.netty.NettyImapRequestLineReader.NotEnoughDataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.buffer.Unpooled;

/**
 * James's request decoder with Mailroom's {@link MailroomRequestLineReader} for commands held in memory, and the
 * answer to a literal announced over the size limit:
 * <ul>
 *   <li>synchronizing ({@code {N}}): a tagged {@code NO [TOOBIG]} instead of the {@code +}; the client sends no
 *       literal bytes, and the session goes on;</li>
 *   <li>non-synchronizing ({@code {N+}}): its bytes are already on the way and would be read as commands, so a
 *       tagged {@code BAD [TOOBIG]}, then {@code * BYE}, and the connection is closed (RFC 7888 section 4);
 *       everything the client still sends is dropped unread.</li>
 * </ul>
 * Literals bigger than the in-memory limit still stream to a temporary file through James's own path (and keep
 * its behaviour).
 */
final class MailroomRequestFrameDecoder extends ImapRequestFrameDecoder {
    private static final Logger LOGGER = LoggerFactory.getLogger(MailroomRequestFrameDecoder.class);
    // Keys of the attachment map James's decoder keeps per channel (ImapRequestFrameDecoder's constants).
    private static final String NEEDED_DATA = "NEEDED_DATA";
    private static final String SINK = "SINK";
    private static final HumanReadableText TOO_BIG = new HumanReadableText("org.mailroom.imap.TOOBIG",
        "Literal is larger than the server accepts");
    private static final HumanReadableText TOO_BIG_BYE = new HumanReadableText("org.mailroom.imap.TOOBIG_BYE",
        "Non-synchronizing literal too large, closing the connection");

    private final ImapDecoder decoder;
    private final StatusResponseFactory responses;
    private final int inMemorySizeLimit;
    private final int literalSizeLimit;
    private final AtomicInteger lineHandlers = new AtomicInteger();
    private boolean discarding;

    MailroomRequestFrameDecoder(ImapDecoder decoder, StatusResponseFactory responses, int inMemorySizeLimit,
                                int literalSizeLimit, int maxFrameLength) {
        super(decoder, inMemorySizeLimit, literalSizeLimit, maxFrameLength);
        this.decoder = decoder;
        this.responses = responses;
        this.inMemorySizeLimit = inMemorySizeLimit;
        this.literalSizeLimit = literalSizeLimit;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (discarding) {
            in.skipBytes(in.readableBytes());
            return;
        }
        Map<String, Object> attachment = ctx.channel().attr(FRAME_DECODE_ATTACHMENT_ATTRIBUTE_KEY).get();
        Integer needed = (Integer) attachment.get(NEEDED_DATA);
        boolean toFile = attachment.containsKey(SINK)
            || (needed != null && inMemorySizeLimit > 0 && needed > inMemorySizeLimit && needed > in.readableBytes());
        if (lineHandlers.get() > 0 || toFile) {
            super.decode(ctx, in, out);
            return;
        }
        if (needed != null && needed != NotEnoughDataException.UNKNOWN_SIZE && needed > in.readableBytes()) {
            return;
        }
        ImapSession session = ctx.channel().attr(IMAP_SESSION_ATTRIBUTE_KEY).get();
        if (session == null || session.getState() == ImapSessionState.LOGOUT) {
            in.skipBytes(in.readableBytes());
            if (ctx.channel().isActive()) {
                ctx.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        int readerIndex = in.readerIndex();
        MailroomRequestLineReader reader = new MailroomRequestLineReader(ctx.channel(), in, needed != null, literalSizeLimit);
        try {
            ImapMessage message = decoder.decode(reader, session);
            // after a literal the parser has read through the end of the line already (James's JAMES-1199 rule)
            if (needed == null || needed == NotEnoughDataException.UNKNOWN_SIZE) {
                reader.consumeLine();
            }
            enableFraming(ctx);
            attachment.clear();
            out.add(message);
        } catch (NotEnoughDataException e) {
            attachment.put(NEEDED_DATA, e.getNeededSize());
            disableFraming(ctx);
            in.readerIndex(readerIndex);
        } catch (MailroomRequestLineReader.LiteralTooLarge e) {
            Tag tag = tagOf(in, readerIndex);
            LOGGER.info("Refusing a literal of {} bytes (limit {}) from {}", e.size(), literalSizeLimit,
                ctx.channel().remoteAddress());
            attachment.clear();
            if (e.synchronizing()) {
                // nothing of the literal was asked for: the next bytes are the client's next command
                enableFraming(ctx);
                out.add(responses.taggedNo(tag, null, TOO_BIG, MailroomStatusResponseFactory.tooBig()));
            } else {
                discarding = true;
                disableFraming(ctx);
                in.skipBytes(in.readableBytes());
                // one message, so that nothing can come between the BAD and the BYE
                session.setAttribute(MailroomProcessors.BYE_AFTER_RESPONSE, responses.bye(TOO_BIG_BYE));
                out.add(responses.taggedBad(tag, null, TOO_BIG, MailroomStatusResponseFactory.tooBig()));
            }
        }
    }

    /** The command's tag (the bytes before the first space), for answering a command that could not be parsed. */
    private static Tag tagOf(ByteBuf in, int start) {
        int end = start;
        while (end < in.writerIndex() && end - start < 100) {
            byte b = in.getByte(end);
            if (b == ' ' || b == '\r' || b == '\n') {
                break;
            }
            end++;
        }
        String tag = in.toString(start, end - start, StandardCharsets.US_ASCII);
        return new Tag(tag.isEmpty() ? "*" : tag);
    }

    @Override
    public void pushLineHandler(ChannelInboundHandlerAdapter lineHandlerUpstreamHandler) {
        lineHandlers.incrementAndGet();
        super.pushLineHandler(lineHandlerUpstreamHandler);
    }

    @Override
    public void popLineHandler() {
        lineHandlers.updateAndGet(count -> Math.max(0, count - 1));
        super.popLineHandler();
    }
}
