package org.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;

/** The lines of one read reach the next handler as one message, in order, and never after a later event. */
class LinesPerReadTest {

    /** What the handler after LinesPerRead saw, in order: "lines[a|b]", "line[a]", "error:...", "inactive". */
    private static final class Seen extends ChannelInboundHandlerAdapter {
        final List<String> events = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof LinesPerRead.Lines lines) {
                List<String> texts = new ArrayList<>();
                lines.lines().forEach(line -> texts.add(text((ByteBuf) line)));
                events.add("lines[" + String.join("|", texts) + "]");
            } else {
                events.add("line[" + text((ByteBuf) msg) + "]");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            events.add("error:" + cause.getClass().getSimpleName());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            events.add("inactive");
        }

        private static String text(ByteBuf line) {
            try {
                return line.toString(StandardCharsets.US_ASCII).strip();
            } finally {
                line.release();
            }
        }
    }

    private static EmbeddedChannel channel(Seen seen) {
        // As in the server: a line framer (James's is a LineBasedFrameDecoder keeping the delimiter), then batching.
        return new EmbeddedChannel(new LineBasedFrameDecoder(64, false, false), new LinesPerRead(), seen);
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    @Test
    void theLinesOfOneReadArriveTogetherInOrderAndALoneLineAlone() {
        Seen seen = new Seen();
        EmbeddedChannel channel = channel(seen);
        channel.writeInbound(bytes("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"));
        channel.writeInbound(bytes("QUIT\r\n"));
        assertThat(seen.events).containsExactly("lines[MAIL FROM:<a@b>|RCPT TO:<c@d>|DATA]", "line[QUIT]");
    }

    @Test
    void aPartialLineWaitsForTheReadThatCompletesIt() {
        Seen seen = new Seen();
        EmbeddedChannel channel = channel(seen);
        channel.writeInbound(bytes("Subject: a\r\nhal"));
        channel.writeInbound(bytes("f a line\r\n.\r\n"));
        assertThat(seen.events).containsExactly("line[Subject: a]", "lines[half a line|.]");
    }

    @Test
    void linesReadBeforeAnOverlongLineArriveBeforeItsError() {
        Seen seen = new Seen();
        EmbeddedChannel channel = channel(seen);
        channel.writeInbound(bytes("Subject: long\r\n\r\n" + "y".repeat(100) + "\r\nshort\r\n"));
        assertThat(seen.events).startsWith("lines[Subject: long|]", "error:TooLongFrameException");
        assertThat(seen.events).last().isEqualTo("line[short]");
    }

    @Test
    void linesHeldWhenTheChannelGoesInactiveArriveFirst() {
        Seen seen = new Seen();
        EmbeddedChannel channel = new EmbeddedChannel(new LinesPerRead(), seen);
        // Without a read-complete in between (EmbeddedChannel's writeInbound would send one): held, then inactive.
        channel.pipeline().fireChannelRead(bytes("RSET\r\n"));
        channel.pipeline().fireChannelRead(bytes("QUIT\r\n"));
        assertThat(seen.events).isEmpty();
        channel.close();
        assertThat(seen.events).containsExactly("lines[RSET|QUIT]", "inactive");
    }
}
