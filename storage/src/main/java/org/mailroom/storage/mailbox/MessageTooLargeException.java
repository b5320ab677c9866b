package org.mailroom.storage.mailbox;

import org.apache.james.mailbox.exception.MailboxException;

/** An append was refused because the message is larger than the configured maximum message size. */
public class MessageTooLargeException extends MailboxException {
    private final long size;
    private final long limit;

    public MessageTooLargeException(long size, long limit) {
        super("Message of " + size + " bytes exceeds the maximum message size of " + limit + " bytes");
        this.size = size;
        this.limit = limit;
    }

    public long size() {
        return size;
    }

    public long limit() {
        return limit;
    }
}
