package org.mailroom.storage.mailbox;

import java.nio.charset.StandardCharsets;
import java.util.Date;

import javax.mail.Flags;

import org.apache.james.mailbox.model.ByteContent;
import org.apache.james.mailbox.model.Content;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.store.mail.model.impl.PropertyBuilder;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;

/** A one-line message with a fresh MessageId, for mapper tests about UIDs, MODSEQs and flags rather than content. */
final class TinyMessages {
    private static final byte[] BYTES = "Subject: hi\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);

    private TinyMessages() {
    }

    static SimpleMailboxMessage in(Mailbox mailbox, Flags flags) {
        return in(mailbox, flags, new ByteContent(BYTES));
    }

    /** The one-line message, whose bytes {@code content} hands out (it must give {@link #bytes()}). */
    static SimpleMailboxMessage in(Mailbox mailbox, Flags flags, Content content) {
        StoredMessageId id = (StoredMessageId) new StoredMessageId.Factory().generate();
        return SimpleMailboxMessage.builder()
            .messageId(id)
            .threadId(ThreadId.fromBaseMessageId(id))
            .mailboxId(mailbox.getMailboxId())
            .internalDate(new Date())
            .size(BYTES.length)
            .bodyStartOctet(13)
            .content(content)
            .flags(flags)
            .properties(new PropertyBuilder())
            .build();
    }

    static byte[] bytes() {
        return BYTES.clone();
    }
}
