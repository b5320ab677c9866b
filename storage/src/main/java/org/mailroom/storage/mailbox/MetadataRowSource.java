package org.mailroom.storage.mailbox;

import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MessageRange;

/**
 * Implemented by Mailroom's message managers: the metadata of the messages in a UID range streamed row by row to a
 * {@link MetadataRowVisitor}, the same rows a {@code FetchGroup.MINIMAL} read returns as message results; and the
 * same rows with each message's bytes ({@link ContentRowVisitor}), for a FETCH of whole messages.
 */
public interface MetadataRowSource {
    /** Calls {@code visitor} once per message of {@code range} still in the mailbox, in UID order. */
    void visitMetadataRows(MessageRange range, MetadataRowVisitor visitor) throws MailboxException;

    /**
     * Calls {@code visitor} once per message of {@code range} still in the mailbox, in UID order, with its bytes
     * (one statement: the membership rows joined to their message rows).
     */
    void visitContentRows(MessageRange range, ContentRowVisitor visitor) throws MailboxException;

    /**
     * Calls {@code visitor} with the message of {@code uid} if it is at most {@code maxSize} octets, read so that
     * nothing can make the calling thread wait (no lock another transaction holds, no pooled connection, no network
     * round trip), and returns true; returns false, having called nothing, when it cannot read so or finds no such
     * message: {@link #visitContentRows} then reads it (and tells an expunged message from a larger one). For a thread
     * that must not block, such as a connection's event loop.
     */
    boolean visitSmallMessageWithoutWaiting(long uid, long maxSize, ImmutableMessageVisitor visitor);
}
