package org.mailroom.storage.mailbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.List;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.ComposedMessageIdWithMetaData;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.apache.james.mailbox.store.mail.MessageIdMapper;
import org.apache.james.mailbox.store.mail.MessageMapper.FetchType;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.StorageException;

import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.Lists;
import com.google.common.collect.Multimap;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Messages addressed by their MessageId across mailboxes (JMAP-style access, MOVE/COPY by id, flag sync). */
public final class JdbcMessageIdMapper implements MessageIdMapper {
    private static final int IN_LIST_CHUNK = 200;

    private final Database db;
    private final Clock clock;
    private final KnownKeywords knownKeywords = new KnownKeywords();

    public JdbcMessageIdMapper(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public List<MailboxMessage> find(Collection<MessageId> messageIds, FetchType fetchType) {
        if (messageIds.isEmpty()) {
            return List.of();
        }
        List<String> ids = messageIds.stream().map(id -> StoredMessageId.of(id).value()).distinct().toList();
        return db.read(c -> {
            List<MailboxMessage> result = new ArrayList<>();
            for (List<String> chunk : Lists.partition(ids, IN_LIST_CHUNK)) {
                String sql = MessageRows.selectMessages(fetchType, RecentWatermark.COLUMN) + " WHERE mm.message_id IN ("
                    + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ") ORDER BY mm.mailbox_id, mm.uid";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setString(i + 1, chunk.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            result.add(MessageRows.readMessage(db, rs, fetchType, rs.getLong("recent_from")));
                        }
                    }
                }
            }
            return result;
        });
    }

    @Override
    public Flux<ComposedMessageIdWithMetaData> findMetadata(MessageId messageId) {
        return Mono.fromCallable(() -> db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + MessageRows.MEMBERSHIP_COLUMNS + RecentWatermark.COLUMN
                + " FROM mr_mailbox_message mm WHERE mm.message_id = ? ORDER BY mm.mailbox_id, mm.uid")) {
                ps.setString(1, StoredMessageId.of(messageId).value());
                List<ComposedMessageIdWithMetaData> result = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(MessageRows.readMembership(rs, rs.getLong("recent_from")));
                    }
                }
                return result;
            }
        })).subscribeOn(Schedulers.boundedElastic()).flatMapIterable(list -> list);
    }

    @Override
    public List<MailboxId> findMailboxes(MessageId messageId) {
        return db.read(c -> findMailboxes(c, StoredMessageId.of(messageId).value()));
    }

    private static List<MailboxId> findMailboxes(Connection c, String messageId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT mailbox_id FROM mr_mailbox_message WHERE message_id = ? ORDER BY mailbox_id")) {
            ps.setString(1, messageId);
            List<MailboxId> result = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(StoredMailboxId.of(rs.getLong(1)));
                }
            }
            return result;
        }
    }

    @Override
    public void save(MailboxMessage message) throws MailboxException {
        saveInto(StoredMailboxId.of(message.getMailboxId()), message, false);
    }

    @Override
    public void copyInMailbox(MailboxMessage message, Mailbox mailbox) throws MailboxException {
        saveInto(StoredMailboxId.of(mailbox.getMailboxId()), message, true);
    }

    /**
     * Stores a membership with the UID and MODSEQ the caller already allocated, and raises the mailbox
     * counters to them if needed, so that a later append can never be handed the same UID.
     */
    private void saveInto(StoredMailboxId mailboxId, MailboxMessage message, boolean skipIfPresent) throws MailboxException {
        Date saveDate = Date.from(clock.instant());
        try {
            db.transaction(c -> {
                String messageId = StoredMessageId.of(message.getMessageId()).value();
                if (skipIfPresent && findMailboxes(c, messageId).contains(mailboxId)) {
                    return null;
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE mr_mailbox SET"
                    + " last_uid = CASE WHEN last_uid < ? THEN ? ELSE last_uid END,"
                    + " highest_modseq = CASE WHEN highest_modseq < ? THEN ? ELSE highest_modseq END WHERE id = ?")) {
                    ps.setLong(1, message.getUid().asLong());
                    ps.setLong(2, message.getUid().asLong());
                    ps.setLong(3, message.getModSeq().asLong());
                    ps.setLong(4, message.getModSeq().asLong());
                    ps.setLong(5, mailboxId.value());
                    if (ps.executeUpdate() == 0) {
                        throw new MessageRows.MissingMailbox(mailboxId.value());
                    }
                }
                MessageRows.insertContentIfAbsent(c, message);
                MessageRows.insertMembership(c, mailboxId.value(), message.getUid(), message.getModSeq(), message,
                    message.createFlags(), saveDate, knownKeywords);
                return null;
            });
        } catch (MessageRows.MissingMailbox e) {
            throw new MailboxNotFoundException(mailboxId);
        } catch (StorageException e) {
            throw new MailboxException("Cannot save message " + message.getMessageId().serialize() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(MessageId messageId) {
        String id = StoredMessageId.of(messageId).value();
        db.transaction(c -> {
            MessageRows.deleteMembershipsOf(c, id, mailbox -> true);
            return null;
        });
    }

    @Override
    public void delete(MessageId messageId, Collection<MailboxId> mailboxIds) {
        if (mailboxIds.isEmpty()) {
            return;
        }
        String id = StoredMessageId.of(messageId).value();
        java.util.Set<Long> targets = mailboxIds.stream().map(m -> StoredMailboxId.of(m).value())
            .collect(java.util.stream.Collectors.toSet());
        db.transaction(c -> {
            MessageRows.deleteMembershipsOf(c, id, targets::contains);
            return null;
        });
    }

    @Override
    public Mono<Multimap<MailboxId, UpdatedFlags>> setFlags(MessageId messageId, List<MailboxId> mailboxIds, Flags newState,
                                                            MessageManager.FlagsUpdateMode updateMode) {
        String id = StoredMessageId.of(messageId).value();
        FlagsUpdateCalculator calculator = new FlagsUpdateCalculator(newState, updateMode);
        return Mono.fromCallable(() -> db.transaction(c -> {
            ImmutableListMultimap.Builder<MailboxId, UpdatedFlags> result = ImmutableListMultimap.builder();
            for (MailboxId mailboxId : mailboxIds.stream().distinct().toList()) {
                long mailbox = StoredMailboxId.of(mailboxId).value();
                for (Long uid : uidsOf(c, id, mailbox)) {
                    result.putAll(mailboxId, JdbcMessageMapper.updateFlags(c, mailbox, calculator,
                        MessageRange.one(org.apache.james.mailbox.MessageUid.of(uid)), knownKeywords));
                }
            }
            return (Multimap<MailboxId, UpdatedFlags>) result.build();
        })).subscribeOn(Schedulers.boundedElastic());
    }

    private static List<Long> uidsOf(Connection c, String messageId, long mailboxId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT uid FROM mr_mailbox_message WHERE message_id = ? AND mailbox_id = ?")) {
            ps.setString(1, messageId);
            ps.setLong(2, mailboxId);
            List<Long> uids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    uids.add(rs.getLong(1));
                }
            }
            return uids;
        }
    }
}
