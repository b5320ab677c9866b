package org.mailroom.imap;

import java.util.Collections;
import java.util.List;

import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.Capability;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.message.request.CompressRequest;
import org.apache.james.imap.processor.base.AbstractProcessor;
import org.apache.james.imap.processor.CapabilityImplementingProcessor;
import org.apache.james.imapserver.netty.NettyConstants;
import org.apache.james.util.MDCBuilder;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.compression.JdkZlibDecoder;
import io.netty.handler.codec.compression.JdkZlibEncoder;
import io.netty.handler.codec.compression.ZlibWrapper;
import reactor.core.publisher.Mono;

/**
 * COMPRESS=DEFLATE (RFC 4978), in place of James 3.8.1's {@code CompressProcessor}, whose inflater is netty's
 * {@code JZlibDecoder}. That decoder grows JZlib's output buffer by twice the compressed bytes still unread, so once
 * the input is used up it stops, even while JZlib still holds decoded bytes. A client that ends each write with
 * {@code Z_PARTIAL_FLUSH} (mbsync) ends it with a 10-bit empty block, and a command that compresses better than
 * 2:1 (mbsync's second {@code UID FETCH n (BODY.PEEK[])}, much like the first) ran out of input with its end still
 * inside JZlib, until the client sent more, which it does not while it waits for the answer: the session stalled
 * (netty 4.1.137: 9 compressed bytes came out as {@code "9 UID FETCH 3 (BOD"}). A {@code Z_SYNC_FLUSH} client
 * (java.util.zip) ends each write with a 4-byte empty stored block, enough unread input to grow the buffer, so it
 * was answered. Here the inflater is netty's {@link JdkZlibDecoder} (the JDK's zlib; it decodes until the input is
 * used up and nothing is pending) and the deflater {@link JdkZlibEncoder}, which sync-flushes every write.
 *
 * <p>The tagged OK is written uncompressed and the handlers are installed right after it, in one task on the
 * connection's event loop, and the command completes only then: the next command (the first compressed bytes) is
 * read by the inflater. Compression sits next to the TLS handler (inside TLS). A client that sent more behind the
 * COMPRESS command before its answer (RFC 4978 says it must wait) gets a BAD and stays uncompressed: whether
 * those bytes were meant compressed cannot be known.
 */
final class DeflateCompressProcessor extends AbstractProcessor<CompressRequest> implements CapabilityImplementingProcessor {
    /** Session attribute: the connection's channel, set by {@link ConnectionGuard}. */
    static final String CHANNEL = "mailroom.channel";
    // James's handler names: its session reports compression as active by the decoder's name.
    private static final String INFLATER = NettyConstants.ZLIB_DECODER;
    private static final String DEFLATER = NettyConstants.ZLIB_ENCODER;
    private static final String ALGORITHM = "DEFLATE";
    private static final List<Capability> CAPABILITIES = List.of(Capability.of("COMPRESS=" + ALGORITHM));
    private static final HumanReadableText ACTIVE_TEXT = new HumanReadableText("org.mailroom.imap.DEFLATE",
        "DEFLATE active");
    private static final HumanReadableText PIPELINED = new HumanReadableText("org.mailroom.imap.COMPRESS_PIPELINED",
        "Nothing may follow COMPRESS before its answer (RFC 4978)");
    private static final HumanReadableText UNSUPPORTED = new HumanReadableText("org.mailroom.imap.COMPRESS_ALGORITHM",
        "Only DEFLATE is supported");
    /** zlib's default trade-off: level 9 costs several times the CPU for a few percent on mail text. */
    private static final int LEVEL = 6;

    private final StatusResponseFactory responses;

    DeflateCompressProcessor(StatusResponseFactory responses) {
        super(CompressRequest.class);
        this.responses = responses;
    }

    @Override
    protected Mono<Void> doProcess(CompressRequest request, Responder responder, ImapSession session) {
        Object channelAttribute = session.getAttribute(CHANNEL);
        if (!session.isCompressionSupported() || !(channelAttribute instanceof Channel channel)) {
            return Mono.fromRunnable(() -> responder.respond(
                responses.taggedBad(request.getTag(), request.getCommand(), HumanReadableText.UNKNOWN_COMMAND)));
        }
        if (session.isCompressionActive()) {
            return Mono.fromRunnable(() -> responder.respond(responses.taggedNo(request.getTag(), request.getCommand(),
                HumanReadableText.COMPRESS_ALREADY_ACTIVE)));
        }
        if (!ALGORITHM.equalsIgnoreCase(request.getAlgorithm())) {
            return Mono.fromRunnable(() -> responder.respond(
                responses.taggedBad(request.getTag(), request.getCommand(), UNSUPPORTED)));
        }
        return Mono.create(done -> channel.eventLoop().execute(() -> {
            try {
                if (readBehindCommand(channel)) {
                    // Sent before our answer, so the client cannot know whether it is compressed: refused, as is.
                    responder.respond(responses.taggedBad(request.getTag(), request.getCommand(), PIPELINED));
                } else {
                    responder.respond(responses.taggedOk(request.getTag(), request.getCommand(), ACTIVE_TEXT));
                    responder.flush();
                    install(channel.pipeline());
                }
                done.success();
            } catch (RuntimeException e) {
                done.error(e);
            }
        }));
    }

    /** Whether the client sent more than the COMPRESS command before its answer (already read, not decoded). */
    private static boolean readBehindCommand(Channel channel) {
        return channel.pipeline().get(NettyConstants.REQUEST_DECODER) instanceof MailroomRequestFrameDecoder decoder
            && decoder.hasUnread();
    }

    /** Puts the deflater and inflater next to TLS (inside it), or first on a connection without TLS. */
    private static void install(ChannelPipeline pipeline) {
        JdkZlibDecoder inflater = new JdkZlibDecoder(ZlibWrapper.NONE);
        JdkZlibEncoder deflater = new JdkZlibEncoder(ZlibWrapper.NONE, LEVEL);
        if (pipeline.get(NettyConstants.SSL_HANDLER) == null) {
            pipeline.addFirst(INFLATER, inflater);
            pipeline.addFirst(DEFLATER, deflater);
        } else {
            pipeline.addAfter(NettyConstants.SSL_HANDLER, INFLATER, inflater);
            pipeline.addAfter(NettyConstants.SSL_HANDLER, DEFLATER, deflater);
        }
    }

    @Override
    public List<Capability> getImplementedCapabilities(ImapSession session) {
        return session.isCompressionSupported() ? CAPABILITIES : Collections.emptyList();
    }

    @Override
    protected MDCBuilder mdc(CompressRequest message) {
        return MDCBuilder.create()
            .addToContext(MDCBuilder.ACTION, "COMPRESS")
            .addToContext("algorithm", message.getAlgorithm());
    }
}
