package org.mailroom.smtp;

import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.netty.BasicChannelInboundHandler;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.protocols.netty.NettyProtocolTransport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;

/**
 * James's protocol handler for a pipeline where it runs on a worker thread rather than the channel's I/O thread
 * ({@link OffloadingNettyServer}), with the one thing that placement breaks put right: STARTTLS.
 *
 * <p>James answers STARTTLS by writing "220 Ready to start TLS" and then adding the {@code SslHandler}. On the I/O
 * thread nothing can be read in between. From a worker, the I/O thread may flush the 220, and read the client's
 * TLS ClientHello as a command line, before the worker gets to add the handler: the handshake then fails (seen on
 * a loaded machine). Here that write and the handler's insertion run as one task on the channel's event loop, so
 * the next bytes read always meet the {@code SslHandler}. Sessions get no logging context ({@link NoLoggingContext}).
 */
final class WorkerChannelHandler extends BasicChannelInboundHandler {

    WorkerChannelHandler(Protocol protocol, Encryption encryption) {
        super(new NoLoggingContext(), protocol, encryption, false);
    }

    @Override
    protected ProtocolSession createSession(ChannelHandlerContext ctx) {
        return protocol.newSession(new StartTlsOnEventLoop(ctx.channel(), secure));
    }

    private static final class StartTlsOnEventLoop extends NettyProtocolTransport {
        private final Channel channel;
        private final Encryption encryption;

        StartTlsOnEventLoop(Channel channel, Encryption encryption) {
            super(channel, encryption, false);
            this.channel = channel;
            this.encryption = encryption;
        }

        @Override
        protected void writeToClient(byte[] bytes, ProtocolSession session, boolean startTls) {
            if (!startTls) {
                super.writeToClient(bytes, session, false);
                return;
            }
            Runnable answerThenEncrypt = () -> {
                channel.writeAndFlush(Unpooled.wrappedBuffer(bytes));
                channel.pipeline().addFirst(HandlerConstants.SSL_HANDLER, encryption.sslHandler());
            };
            if (channel.eventLoop().inEventLoop()) {
                answerThenEncrypt.run();
            } else {
                channel.eventLoop().execute(answerThenEncrypt);
            }
        }
    }
}
