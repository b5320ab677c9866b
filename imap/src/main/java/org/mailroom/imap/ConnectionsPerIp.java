package org.mailroom.imap;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;

/**
 * The limit of simultaneous connections from one address on one listener ({@link ImapLimits#connectionsPerIp()}), in
 * place of James's {@code ConnectionPerIpLimitUpstreamHandler}: a connection counts from the moment it is accepted
 * until it sends LOGOUT ({@link MailroomRequestFrameDecoder}, before the BYE and tagged OK are written), the server
 * starts closing it ({@link LingeringClose}) or it goes inactive, whichever comes first.
 *
 * <p>Why: James counted a connection until its channel went inactive. After LOGOUT the server keeps reading (and
 * discarding) until the client has closed its side, so a client that logs out and connects again at once, as
 * imaptest's sessions do and a desktop client re-opening its account does, raced its own finished session: the new
 * connection could be counted before the old one's close was seen, and at the limit it was closed without a greeting
 * (20 clients from one address, the default limit, cycling LOGIN ... LOGOUT: most reconnects failed).
 * A connection the server has begun to close takes no command any more, so it need not hold a place; the listener's
 * total limit still counts it until it is gone.
 */
@ChannelHandler.Sharable
final class ConnectionsPerIp extends ChannelInboundHandlerAdapter {
    private static final AttributeKey<Place> PLACE = AttributeKey.valueOf("mailroomConnectionPlace");

    private final ConcurrentMap<String, Integer> open = new ConcurrentHashMap<>();
    private final int limit;

    ConnectionsPerIp(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        this.limit = limit;
    }

    /** The server has begun to close this connection: it no longer counts against its address's limit. */
    static void serverClosing(Channel channel) {
        Place place = channel.attr(PLACE).get();
        if (place != null) {
            place.release();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        String address = address(ctx.channel().remoteAddress());
        int[] now = new int[1];
        open.compute(address, (key, count) -> now[0] = count == null ? 1 : count + 1);
        Place place = new Place(address);
        ctx.channel().attr(PLACE).set(place);
        if (now[0] > limit) {
            place.release();
            ctx.close();
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        serverClosing(ctx.channel());
        super.channelInactive(ctx);
    }

    /** Connections counted now for an address (tests). */
    int count(String address) {
        return open.getOrDefault(address, 0);
    }

    private static String address(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null
            ? inet.getAddress().getHostAddress() : String.valueOf(remote);
    }

    /** One connection's place in its address's count, given back once. */
    private final class Place {
        private final String address;
        private final AtomicBoolean released = new AtomicBoolean();

        Place(String address) {
            this.address = address;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                open.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
            }
        }
    }
}
