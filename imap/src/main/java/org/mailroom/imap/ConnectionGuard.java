package org.mailroom.imap;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.ImapSessionState;
import org.apache.james.imapserver.netty.NettyConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Per-connection handler placed just before James's core handler: closes a connection that has not authenticated
 * within the login timeout (James has no such limit; its idle timeout is 30 minutes at least), and tells the IMAP
 * session the client's address so that {@link LoginThrottle} can count per IP (James's {@code ImapSession} does
 * not expose it).
 */
final class ConnectionGuard extends ChannelInboundHandlerAdapter {
    private static final Logger LOGGER = LoggerFactory.getLogger(ConnectionGuard.class);

    private final Duration loginTimeout;
    private ScheduledFuture<?> loginTimer;
    private boolean addressGiven;

    ConnectionGuard(Duration loginTimeout) {
        this.loginTimeout = loginTimeout;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        loginTimer = ctx.executor().schedule(() -> closeIfNotAuthenticated(ctx), loginTimeout.toMillis(), TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!addressGiven) {
            ImapSession session = ctx.channel().attr(NettyConstants.IMAP_SESSION_ATTRIBUTE_KEY).get();
            if (session != null && ctx.channel().remoteAddress() instanceof InetSocketAddress address) {
                session.setAttribute(MailroomProcessors.REMOTE_IP, address.getAddress().getHostAddress());
                session.setAttribute(DeflateCompressProcessor.CHANNEL, ctx.channel());
                addressGiven = true;
            }
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (loginTimer != null) {
            loginTimer.cancel(false);
        }
        super.channelInactive(ctx);
    }

    private void closeIfNotAuthenticated(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        ImapSession session = ctx.channel().attr(NettyConstants.IMAP_SESSION_ATTRIBUTE_KEY).get();
        if (session == null || session.getState() == ImapSessionState.NON_AUTHENTICATED) {
            LOGGER.info("Closing IMAP connection from {}: not authenticated after {}", ctx.channel().remoteAddress(), loginTimeout);
            ctx.writeAndFlush(Unpooled.copiedBuffer("* BYE Login timeout\r\n", StandardCharsets.US_ASCII))
                .addListener(ChannelFutureListener.CLOSE);
        }
    }
}
