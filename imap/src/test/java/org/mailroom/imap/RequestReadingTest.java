package org.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.encode.FakeImapSession;
import org.apache.james.imap.main.DefaultImapDecoderFactory;
import org.apache.james.imap.message.request.NoopRequest;
import org.apache.james.imap.message.request.StartTLSRequest;
import org.apache.james.imapserver.netty.NettyConstants;
import org.apache.james.imapserver.netty.SwitchableLineBasedFrameDecoder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import reactor.core.publisher.Mono;

/**
 * When {@link MailroomRequestFrameDecoder} reads a connection: a client that waits for each answer is read without
 * its reading being turned off and on around every command; bytes that arrive while a command runs are held undecoded
 * and stop the reading until the command has completed; after STARTTLS (and COMPRESS) nothing more is read until the
 * command has completed, so plaintext sent behind STARTTLS never reaches the decoder. Netty's embedded channel, whose
 * {@code autoRead} is the interest in reading the socket that a real channel turns into {@code epoll_ctl} calls.
 */
class RequestReadingTest {
    private EmbeddedChannel channel;
    private ImapSession session;

    @BeforeEach
    void connect() {
        MailroomRequestFrameDecoder decoder = new MailroomRequestFrameDecoder(DefaultImapDecoderFactory.createDecoder(),
            new MailroomStatusResponseFactory(), 64 * 1024, 1024 * 1024, 65_536);
        channel = new EmbeddedChannel();
        session = new FakeImapSession() {
            @Override
            public boolean needsCommandInjectionDetection() {
                return true;
            }
        };
        channel.attr(NettyConstants.IMAP_SESSION_ATTRIBUTE_KEY).set(session);
        // James's line framer in front, as in the server's pipeline (taken out while a literal is read)
        channel.pipeline().addLast(NettyConstants.FRAMER,
            new SwitchableLineBasedFrameDecoder(channel.pipeline(), 65_536, false));
        channel.pipeline().addLast(NettyConstants.REQUEST_DECODER, decoder);
    }

    private void send(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    private ImapMessage decoded() {
        return channel.readInbound();
    }

    /** What the command's processing does when it has completed: signal on the connection's loop, then run its tasks. */
    private void complete() {
        CommandCompletion.signalled(Mono.empty(), session).block();
        channel.runPendingTasks();
    }

    @Test
    void aClientWaitingForEachAnswerIsReadWithoutTurningReadingOff() {
        send("a NOOP\r\n");
        assertThat(decoded()).isInstanceOf(NoopRequest.class);
        assertThat(channel.config().isAutoRead()).isTrue();

        complete();
        assertThat(channel.config().isAutoRead()).isTrue();
        send("b NOOP\r\n");
        assertThat(decoded()).isInstanceOf(NoopRequest.class);
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void bytesArrivingWhileACommandRunsWaitAndStopTheReadingUntilItHasCompleted() {
        send("a NOOP\r\n");
        assertThat(decoded()).isInstanceOf(NoopRequest.class);

        send("b NOOP\r\nc NO");
        assertThat(decoded()).as("nothing decoded while a runs").isNull();
        assertThat(channel.config().isAutoRead()).isFalse();

        complete();
        ImapMessage second = decoded();
        assertThat(second).isInstanceOf(NoopRequest.class);
        assertThat(((NoopRequest) second).getTag().asString()).isEqualTo("b");
        assertThat(decoded()).isNull();

        // c's first bytes are an unfinished line (held by the line framer, bounded by the longest line): its end
        // arrives while b runs, and is decoded once b has completed
        send("OP\r\n");
        assertThat(decoded()).isNull();
        assertThat(channel.config().isAutoRead()).isFalse();
        complete();
        ImapMessage third = decoded();
        assertThat(((NoopRequest) third).getTag().asString()).isEqualTo("c");

        complete();
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void nothingIsReadAfterStartTlsUntilItHasCompleted() {
        send("a STARTTLS\r\n");
        assertThat(decoded()).isInstanceOf(StartTLSRequest.class);
        assertThat(channel.config().isAutoRead()).isFalse();

        complete();
        assertThat(channel.config().isAutoRead()).isTrue();
    }
}
