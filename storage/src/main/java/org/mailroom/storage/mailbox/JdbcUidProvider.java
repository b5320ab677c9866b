package org.mailroom.storage.mailbox;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.UidProvider;
import org.mailroom.storage.schema.Database;

/** UIDs from the {@code last_uid} counter of the mailbox row; a UID handed out is committed, never reused. */
public final class JdbcUidProvider implements UidProvider {
    private final Database db;

    public JdbcUidProvider(Database db) {
        this.db = db;
    }

    @Override
    public MessageUid nextUid(Mailbox mailbox) throws MailboxException {
        return nextUid(mailbox.getMailboxId());
    }

    @Override
    public MessageUid nextUid(MailboxId mailboxId) throws MailboxException {
        long id = StoredMailboxId.of(mailboxId).value();
        try {
            return db.transaction(c -> MessageRows.allocateUid(c, id));
        } catch (MessageRows.MissingMailbox e) {
            throw e.toMailboxException(id);
        }
    }

    @Override
    public Optional<MessageUid> lastUid(Mailbox mailbox) {
        long last = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(MessageRows.LAST_UID)) {
                ps.setLong(1, StoredMailboxId.of(mailbox.getMailboxId()).value());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
        return last == 0 ? Optional.empty() : Optional.of(MessageUid.of(last));
    }
}
