package org.mailroom.imap;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.ImapSessionState;
import org.apache.james.imap.api.Tag;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.decode.ImapDecoder;
import org.apache.james.imap.message.request.CompressRequest;
import org.apache.james.imap.message.request.LogoutRequest;
import org.apache.james.imap.message.request.StartTLSRequest;
import org.apache.james.imapserver.netty.ImapRequestFrameDecoder;
import org.apache.james.imapserver.netty.NettyImapRequestLineReader.NotEnoughDataException;
import org.apache.james.imapserver.netty.NettyStreamImapRequestLineReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Mailroom's request decoder, in place of James's: it turns a connection's bytes into commands, one at a time.
 * <ul>
 *   <li>Strictly in order (RFC 3501 section 5.5): once a command is handed over, the next one is not decoded until
 *       the first has completed ({@link CommandCompletion}). James decoded every pipelined command at once, so a
 *       SELECT sent with its LOGIN was checked while the session was still not authenticated and refused. Bytes that
 *       arrive while a command runs wait undecoded; the connection is then not read any further until the command
 *       has completed, so a client cannot queue commands up in server memory (at most what one read brought in).</li>
 *   <li>Commands held in memory are read by {@link MailroomRequestLineReader}; a command whose literal is larger
 *       than the in-memory limit (an APPEND of a big message) is written to a file by {@link LiteralSpool}, which
 *       also accepts a bare LF after the literal and leaves a pipelined command that follows in the buffer (James's
 *       own file path waited for a CRLF forever and dropped what followed the literal).</li>
 *   <li>A literal announced over the size limit: synchronizing ({@code {N}}) gets a tagged {@code NO [TOOBIG]}
 *       instead of the {@code +}, the client sends no literal bytes and the session goes on; non-synchronizing
 *       ({@code {N+}}), whose bytes are already on the way and would be read as commands, gets a tagged
 *       {@code BAD [TOOBIG]}, then {@code * BYE}, and the connection is closed, the rest unread (RFC 7888
 *       section 4).</li>
 *   <li>While a command (IDLE, AUTHENTICATE) waits for a continuation line, each line goes to its line handler.</li>
 * </ul>
 */
final class MailroomRequestFrameDecoder extends ImapRequestFrameDecoder {
    private static final Logger LOGGER = LoggerFactory.getLogger(MailroomRequestFrameDecoder.class);
    private static final HumanReadableText TOO_BIG = new HumanReadableText("org.mailroom.imap.TOOBIG",
        "Literal is larger than the server accepts");
    private static final HumanReadableText TOO_BIG_BYE = new HumanReadableText("org.mailroom.imap.TOOBIG_BYE",
        "Non-synchronizing literal too large, closing the connection");

    private final ImapDecoder decoder;
    private final StatusResponseFactory responses;
    private final int inMemorySizeLimit;
    private final int literalSizeLimit;
    private final Deque<ChannelInboundHandlerAdapter> lineHandlers = new ConcurrentLinkedDeque<>();
    // The fields below are only touched on the channel's event loop.
    private ChannelHandlerContext context;
    /** Bytes the current command needs from its start (null: not known yet, decode and see). */
    private Integer needed;
    private LiteralSpool spool;
    private boolean commandInFlight;
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
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        context = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (discarding) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (commandInFlight) {
            // the bytes wait in the buffer, and the socket is not read again until commandCompleted() decodes them
            stopReading(ctx);
            return;
        }
        ChannelInboundHandlerAdapter lineHandler = lineHandlers.peekFirst();
        if (lineHandler != null) {
            giveOneLine(ctx, in, lineHandler);
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
        if (spool != null) {
            if (spool.take(in)) {
                handOver(ctx, session, decodeSpooled(ctx, session), out);
            }
            return;
        }
        if (needed != null && needed != NotEnoughDataException.UNKNOWN_SIZE && needed > in.readableBytes()) {
            return;
        }
        decodeInMemory(ctx, session, in, out);
    }

    private void decodeInMemory(ChannelHandlerContext ctx, ImapSession session, ByteBuf in, List<Object> out)
            throws IOException {
        int readerIndex = in.readerIndex();
        MailroomRequestLineReader reader = new MailroomRequestLineReader(ctx.channel(), in, needed != null,
            literalSizeLimit, inMemorySizeLimit);
        try {
            ImapMessage message = decoder.decode(reader, session);
            // after a literal the parser has read through the end of the line already (James's JAMES-1199 rule)
            if (needed == null || needed == NotEnoughDataException.UNKNOWN_SIZE) {
                reader.consumeLine();
            }
            handOver(ctx, session, message, out);
        } catch (NotEnoughDataException e) {
            in.readerIndex(readerIndex);
            needed = e.getNeededSize();
            disableFraming(ctx);
            if (needed > inMemorySizeLimit && reader.literalEndsCommand()) {
                spool = new LiteralSpool(needed);
                if (spool.take(in)) {
                    handOver(ctx, session, decodeSpooled(ctx, session), out);
                }
            }
        } catch (MailroomRequestLineReader.LiteralTooLarge e) {
            Tag tag = tagOf(in, readerIndex);
            LOGGER.info("Refusing a literal of {} bytes (limit {}) from {}", e.size(), e.limit(),
                ctx.channel().remoteAddress());
            if (e.synchronizing()) {
                // nothing of the literal was asked for: the next bytes are the client's next command
                handOver(ctx, session, responses.taggedNo(tag, null, TOO_BIG, MailroomStatusResponseFactory.tooBig()),
                    out);
            } else {
                discarding = true;
                needed = null;
                disableFraming(ctx);
                in.skipBytes(in.readableBytes());
                // one message, so that nothing can come between the BAD and the BYE
                session.setAttribute(MailroomProcessors.BYE_AFTER_RESPONSE, responses.bye(TOO_BIG_BYE));
                out.add(responses.taggedBad(tag, null, TOO_BIG, MailroomStatusResponseFactory.tooBig()));
            }
        }
    }

    /** Parses the command the spool holds; the parsed APPEND owns the file from then on, anything else drops it. */
    private ImapMessage decodeSpooled(ChannelHandlerContext ctx, ImapSession session) throws IOException {
        LiteralSpool complete = spool;
        spool = null;
        // Left open on success: the literal reads the end of the line from it once APPEND has read the message (an
        // unreachable FileInputStream's descriptor is released by its cleaner, as with James's own file path).
        NettyStreamImapRequestLineReader reader =
            new NettyStreamImapRequestLineReader(ctx.channel(), complete.file().toFile(), true);
        ImapMessage message;
        try {
            message = decoder.decode(reader, session);
        } catch (RuntimeException e) {
            reader.close();
            complete.close();
            throw e;
        }
        if (!(message instanceof Closeable)) {
            reader.close();
            complete.close();
        }
        return message;
    }

    /** Passes one decoded command on and holds back the next until it has completed. */
    private void handOver(ChannelHandlerContext ctx, ImapSession session, ImapMessage message, List<Object> out) {
        needed = null;
        enableFraming(ctx);
        commandInFlight = true;
        if (message instanceof StartTLSRequest || message instanceof CompressRequest) {
            // what follows these must go through the TLS or inflating handler they install: nothing more is read
            // until they have (a STARTTLS command injection must stay in the socket, and fail the handshake)
            stopReading(ctx);
        }
        CommandCompletion.listen(session, ctx.channel().eventLoop(), this::commandCompleted);
        if (message instanceof LogoutRequest) {
            // the session ends here: its address's place is given back before the BYE and tagged OK are written, so
            // a client that reads them and connects again at once is never refused for its own finished session
            ConnectionsPerIp.serverClosing(ctx.channel());
        }
        out.add(message);
    }

    /** Called on any thread when the command handed over has completed; decodes what waits, on the event loop. */
    private void commandCompleted() {
        ChannelHandlerContext ctx = context;
        // always a task, never inline: the command may complete inside decode() itself
        ctx.executor().execute(() -> {
            if (!commandInFlight) {
                return;
            }
            commandInFlight = false;
            if (!ctx.channel().isActive()) {
                return;
            }
            if (!ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
            try {
                // decodes the bytes that already wait in the cumulation buffer
                channelRead(ctx, Unpooled.EMPTY_BUFFER);
            } catch (Exception e) {
                ctx.fireExceptionCaught(e);
            }
        });
    }

    /**
     * Stops reading the connection while a command runs. Reading is left on when a command is handed over and turned
     * off only if more bytes arrive before it completes (a pipelining client): turning it off and on around every
     * command was two {@code epoll_ctl} calls per command on the event loop (each change of the channel's interest
     * set is one), for clients that send one command at a time and wait for its answer, as most do.
     */
    private static void stopReading(ChannelHandlerContext ctx) {
        if (ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (commandInFlight) {
            // ByteToMessageDecoder would ask for another read when reading is off and nothing was decoded: the bytes
            // wait for the running command, and the socket is read again when it has completed
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }

    /** Whether bytes were read that no command has taken yet (on the event loop). */
    boolean hasUnread() {
        return internalBuffer().isReadable();
    }

    /** A continuation line for IDLE or AUTHENTICATE: one line at a time, however many are buffered. */
    private static void giveOneLine(ChannelHandlerContext ctx, ByteBuf in, ChannelInboundHandlerAdapter handler)
            throws Exception {
        int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            return;
        }
        handler.channelRead(ctx, in.readSlice(lf - in.readerIndex() + 1));
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
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (spool != null) {
            spool.close();
            spool = null;
        }
        super.channelInactive(ctx);
    }

    @Override
    public void pushLineHandler(ChannelInboundHandlerAdapter lineHandlerUpstreamHandler) {
        lineHandlers.addFirst(lineHandlerUpstreamHandler);
    }

    @Override
    public void popLineHandler() {
        lineHandlers.pollFirst();
    }
}
