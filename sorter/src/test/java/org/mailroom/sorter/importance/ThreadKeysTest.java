package org.mailroom.sorter.importance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.mailroom.sorter.message.MailParser;

class ThreadKeysTest {

    @Test
    void subjectsLoseReplyAndForwardPrefixesCaseAndExtraSpace() {
        assertThat(ThreadKeys.subject("RE: FW: Re[2]:  Gas   Prices ")).isEqualTo("gas prices");
        assertThat(ThreadKeys.subject("AW: Sv: Fwd : hello")).isEqualTo("hello");
        assertThat(ThreadKeys.subject("Read: report")).isEqualTo("read: report");
        assertThat(ThreadKeys.subject("RE:")).isEmpty();
        assertThat(ThreadKeys.subject("")).isEmpty();
    }

    @Test
    void replyAndForwardPrefixesAreRecognised() {
        assertThat(ThreadKeys.isReply("RE: x")).isTrue();
        assertThat(ThreadKeys.isReply("Re[3]: x")).isTrue();
        assertThat(ThreadKeys.isReply("Fw: x")).isFalse();
        assertThat(ThreadKeys.isReply("Report")).isFalse();
        assertThat(ThreadKeys.isForward("FWD: x")).isTrue();
    }

    @Test
    void referencesAndMessageIdAreReadWithoutBrackets() {
        var content = new MailParser().parse(("Message-ID: <own@x>\r\nIn-Reply-To: <a@x>\r\nReferences: <b@x> <a@x>\r\n"
            + "\r\nbody").getBytes(StandardCharsets.US_ASCII));
        assertThat(ThreadKeys.messageId(content)).isEqualTo("own@x");
        assertThat(ThreadKeys.references(content)).containsExactly("a@x", "b@x", "a@x");
    }
}
