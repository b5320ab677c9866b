package org.mailroom.dist.learning;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageIdManager;
import org.apache.james.mailbox.model.FetchGroup;
import org.apache.james.mailbox.model.MessageResult;
import org.mailroom.sorter.Sorter;
import org.mailroom.sorter.learning.MessageContentLookup;
import org.mailroom.sorter.message.MailParser;
import org.mailroom.storage.mailbox.MailboxStore;
import org.mailroom.storage.mailbox.StoredMessageId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MessageContentLookup} over the mailbox API: the message by its store id, read as the owner, parsed and
 * inspected (attachment text) exactly as delivery does, so the learners see what the signals see.
 */
public final class MailboxContentLookup implements MessageContentLookup {

    private static final Logger LOG = LoggerFactory.getLogger(MailboxContentLookup.class);
    /** Learning reads at most this much of a message, like delivery's sorter. */
    private static final int MAX_BYTES = 8 * 1024 * 1024;

    private final MailboxStore store;
    private final MailParser parser;
    private final Sorter sorter;

    public MailboxContentLookup(MailboxStore store, MailParser parser, Sorter sorter) {
        this.store = store;
        this.parser = parser;
        this.sorter = sorter;
    }

    @Override
    public Optional<StoredMessage> find(String user, String messageId) {
        MessageIdManager messages = store.messageIdManager();
        MailboxSession session = store.mailboxManager().createSystemSession(Username.of(user));
        try {
            List<MessageResult> found = messages.getMessages(List.of(new StoredMessageId.Factory().fromString(messageId)),
                FetchGroup.FULL_CONTENT, session);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            MessageResult message = found.get(0);
            try (InputStream in = message.getFullContent().getInputStream()) {
                return Optional.of(new StoredMessage(sorter.inspect(parser.parse(in.readNBytes(MAX_BYTES))),
                    message.getInternalDate().toInstant()));
            }
        } catch (Exception e) {
            LOG.warn("message {} of {} could not be read for learning: {}", messageId, user, e.toString());
            return Optional.empty();
        } finally {
            store.mailboxManager().endProcessingRequest(session);
        }
    }
}
