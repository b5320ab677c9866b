package org.mailroom.storage.mailbox;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.ModSeqProvider;
import org.mailroom.storage.schema.Database;

/** MODSEQs from the {@code highest_modseq} counter of the mailbox row (RFC 7162). */
public final class JdbcModSeqProvider implements ModSeqProvider {
    private final Database db;

    public JdbcModSeqProvider(Database db) {
        this.db = db;
    }

    @Override
    public ModSeq nextModSeq(Mailbox mailbox) throws MailboxException {
        return nextModSeq(mailbox.getMailboxId());
    }

    @Override
    public ModSeq nextModSeq(MailboxId mailboxId) throws MailboxException {
        long id = StoredMailboxId.of(mailboxId).value();
        try {
            return db.transaction(c -> MessageRows.allocateModSeq(c, id));
        } catch (MessageRows.MissingMailbox e) {
            throw e.toMailboxException(id);
        }
    }

    @Override
    public ModSeq highestModSeq(Mailbox mailbox) {
        return highestModSeq(mailbox.getMailboxId());
    }

    @Override
    public ModSeq highestModSeq(MailboxId mailboxId) {
        return ModSeq.of(db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(MessageRows.HIGHEST_MODSEQ)) {
                ps.setLong(1, StoredMailboxId.of(mailboxId).value());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        }));
    }
}
