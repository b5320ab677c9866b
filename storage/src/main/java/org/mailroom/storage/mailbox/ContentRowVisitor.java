package org.mailroom.storage.mailbox;

/**
 * Receives a mailbox's messages one membership row at a time, in UID order, with the message's stored bytes: what
 * IMAP needs to answer a FETCH of a whole message ({@code BODY.PEEK[]}) or its text without building a message
 * object and James's message result per message.
 */
@FunctionalInterface
public interface ContentRowVisitor {
    /**
     * One message: the membership row as {@link MetadataRowVisitor#row} gives it, then the header bytes (up to and
     * including the blank line) and the body bytes as stored; {@code header} followed by {@code body} is the whole
     * message of {@code size} octets.
     */
    void row(long uid, long modSeq, long size, long internalDateMillis, int systemFlags, String keywords,
             byte[] header, byte[] body);
}
