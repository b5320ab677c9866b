package org.mailroom.storage.mailbox;

import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MessageRange;

/**
 * Implemented by Mailroom's message managers: the metadata of the messages in a UID range streamed row by row to a
 * {@link MetadataRowVisitor}, the same rows a {@code FetchGroup.MINIMAL} read returns as message results.
 */
public interface MetadataRowSource {
    /** Calls {@code visitor} once per message of {@code range} still in the mailbox, in UID order. */
    void visitMetadataRows(MessageRange range, MetadataRowVisitor visitor) throws MailboxException;
}
