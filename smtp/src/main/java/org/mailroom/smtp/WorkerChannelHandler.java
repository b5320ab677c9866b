package org.mailroom.smtp;

import org.apache.james.protocols.api.Protocol;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.netty.BasicChannelInboundHandler;
import org.apache.james.protocols.netty.Encryption;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.protocols.netty.LineHandlerAware;
import org.apache.james.protocols.netty.LineHandlerUpstreamHandler;
import org.apache.james.protocols.netty.NettyProtocolTransport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;

/**
 * James's protocol handler for a pipeline where it runs on a worker thread rather than the channel's I/O thread
 * ({@link OffloadingNettyServer}), with two things that placement breaks put right: STARTTLS, and the line handlers
 * of a session whose client has left.
 *
 * <p>James answers STARTTLS by writing "220 Ready to start TLS" and then adding the {@code SslHandler}. On the I/O
 * thread nothing can be read in between. From a worker, the I/O thread may flush the 220, and read the client's
 * TLS ClientHello as a command line, before the worker gets to add the handler: the handshake then fails (seen on
 * a loaded machine). Here that write and the handler's insertion run as one task on the channel's event loop, so
 * the next bytes read always meet the {@code SslHandler}.
 *
 * <p>James's transport pushes and pops a session's line handlers (DATA's, AUTH's) on the core handler it looks up in
 * the channel's pipeline by name. A commit can end after the client has gone, when the closed channel's pipeline no
 * longer holds the core handler: the look-up then returns null and popping DATA's line handler throws a
 * NullPointerException, which James logs as an error (the message itself is committed). The session's transport here
 * knows its core handler, this one, pipeline or not. Sessions get no logging context ({@link NoLoggingContext}).
 */
final class WorkerChannelHandler extends BasicChannelInboundHandler {

    WorkerChannelHandler(Protocol protocol, Encryption encryption) {
        super(new NoLoggingContext(), protocol, encryption, false);
    }

    @Override
    protected ProtocolSession createSession(ChannelHandlerContext ctx) {
        return protocol.newSession(new StartTlsOnEventLoop(ctx.channel(), secure, this));
    }

    private static final class StartTlsOnEventLoop extends NettyProtocolTransport {
        private final Channel channel;
        private final Encryption encryption;
        private final LineHandlerAware coreHandler;

        StartTlsOnEventLoop(Channel channel, Encryption encryption, LineHandlerAware coreHandler) {
            super(channel, encryption, false);
            this.channel = channel;
            this.encryption = encryption;
            this.coreHandler = coreHandler;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public void pushLineHandler(LineHandler<? extends ProtocolSession> handler, ProtocolSession session) {
            coreHandler.pushLineHandler(new LineHandlerUpstreamHandler(session, (LineHandler) handler));
        }

        @Override
        public void popLineHandler() {
            coreHandler.popLineHandler();
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
