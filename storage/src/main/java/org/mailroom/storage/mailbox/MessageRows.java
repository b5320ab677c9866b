package org.mailroom.storage.mailbox;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.ComposedMessageId;
import org.apache.james.mailbox.model.ComposedMessageIdWithMetaData;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.ThreadId;
import org.apache.james.mailbox.store.mail.MessageMapper.FetchType;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.store.mail.model.impl.SimpleMailboxMessage;
import org.mailroom.storage.schema.Database;

import javax.mail.Flags;

/**
 * The one place that knows the SQL of stored messages: reading membership rows joined with their message,
 * writing message bytes and memberships, allocating UIDs and MODSEQs, and removing unreferenced bytes.
 */
final class MessageRows {
    static final String MEMBERSHIP_COLUMNS = "mm.mailbox_id, mm.uid, mm.message_id, mm.thread_id, mm.modseq, "
        + "mm.is_answered, mm.is_deleted, mm.is_draft, mm.is_flagged, mm.is_recent, mm.is_seen, mm.user_flags";
    static final String METADATA_COLUMNS = MEMBERSHIP_COLUMNS
        + ", mm.save_date, m.internal_date, m.msg_size, m.body_start, m.text_lines, m.properties";
    /**
     * Memberships first, each joined to its message row through the primary key (a nested loop). Left to itself
     * Derby sometimes chose a hash join here, which scans every row of {@code mr_message} (all users' mail) into a
     * hash table that spills to disk past 1 MB: a FETCH of 20 sizes then cost as much as reading the whole store.
     * The hints are SQL comments (each must end its line), so PostgreSQL reads the same text and ignores them.
     */
    static final String FROM_JOIN = " FROM --DERBY-PROPERTIES joinOrder=FIXED\n mr_mailbox_message mm JOIN mr_message m"
        + " --DERBY-PROPERTIES joinStrategy=NESTEDLOOP\n ON m.id = mm.message_id";

    /** A mailbox's keyword list, its highest MODSEQ and its last UID (statements of every SELECT, too). */
    static final String KEYWORDS = "SELECT keywords FROM mr_mailbox WHERE id = ?";
    static final String HIGHEST_MODSEQ = "SELECT highest_modseq FROM mr_mailbox WHERE id = ?";
    static final String LAST_UID = "SELECT last_uid FROM mr_mailbox WHERE id = ?";
    /** Each membership's UID and its message's header bytes, for {@link JdbcMessageMapper#visitHeaders}. */
    static final String SELECT_UID_HEADER = "SELECT mm.uid, m.header_bytes" + FROM_JOIN;

    private MessageRows() {
    }

    static String selectMessages(FetchType type) {
        return selectMessages(type, "");
    }

    /** As {@link #selectMessages(FetchType)}, with {@code extraColumns} (", a, b") added to the select list. */
    static String selectMessages(FetchType type, String extraColumns) {
        String bytes = switch (type) {
            case FULL -> ", m.header_bytes, m.body_bytes";
            case HEADERS -> ", m.header_bytes";
            case METADATA, ATTACHMENTS_METADATA -> "";
        };
        return "SELECT " + METADATA_COLUMNS + bytes + extraColumns + FROM_JOIN;
    }

    /** The message of the current row; {@code recentFrom}: its mailbox's \Recent watermark ({@link RecentWatermark}). */
    static MailboxMessage readMessage(Database db, ResultSet rs, FetchType type, long recentFrom) throws SQLException {
        return readMessage(db, rs, type,
            type == FetchType.FULL || type == FetchType.HEADERS ? rs.getBytes("header_bytes") : null, recentFrom);
    }

    /** The message of the current row, whose header bytes the caller has already read (a blob is read once). */
    static MailboxMessage readMessage(Database db, ResultSet rs, FetchType type, byte[] header, long recentFrom)
            throws SQLException {
        String messageId = rs.getString("message_id");
        long size = rs.getLong("msg_size");
        byte[] body = type == FetchType.FULL ? rs.getBytes("body_bytes") : null;
        long lines = rs.getLong("text_lines");
        Long textLines = rs.wasNull() ? null : lines;
        Timestamp saveDate = rs.getTimestamp("save_date");
        long uid = rs.getLong("uid");
        return SimpleMailboxMessage.builder()
            .mailboxId(StoredMailboxId.of(rs.getLong("mailbox_id")))
            .uid(MessageUid.of(uid))
            .modseq(ModSeq.of(rs.getLong("modseq")))
            .messageId(StoredMessageId.of(messageId))
            .threadId(ThreadId.fromBaseMessageId(StoredMessageId.of(rs.getString("thread_id"))))
            .internalDate(new Date(rs.getTimestamp("internal_date").getTime()))
            .saveDate(Optional.ofNullable(saveDate).map(t -> new Date(t.getTime())))
            .size(size)
            .bodyStartOctet(rs.getInt("body_start"))
            .content(new StoredContent(db, messageId, size, header, body))
            .flags(RecentWatermark.mask(StoredFlags.read(rs), uid, recentFrom))
            .properties(PropertiesCodec.decode(rs.getString("properties"), textLines))
            .build();
    }

    /**
     * What a FETCH of UID, FLAGS, RFC822.SIZE, INTERNALDATE, MODSEQ, SAVEDATE, EMAILID or THREADID needs, from the
     * membership row alone (size and internal date are copied there, V12; the date as epoch milliseconds, V18): no
     * join to {@code mr_message}, whose wide rows (bytes inline) cost a B-tree descent and a page read per message.
     * Read by position, in this order.
     */
    static final String SELECT_MEMBERSHIP_METADATA = "SELECT mm.uid, mm.modseq, mm.message_id, mm.thread_id, mm.msg_size,"
        + " mm.internal_date_millis, mm.save_date, " + StoredFlags.COLUMNS + " FROM mr_mailbox_message mm";

    static MessageMetaData readMembershipMetaData(ResultSet rs, long recentFrom) throws SQLException {
        Timestamp saveDate = rs.getTimestamp(7);
        long uid = rs.getLong(1);
        return new MessageMetaData(MessageUid.of(uid), ModSeq.of(rs.getLong(2)),
            RecentWatermark.mask(StoredFlags.read(rs, 8), uid, recentFrom),
            rs.getLong(5), new Date(rs.getLong(6)),
            saveDate == null ? Optional.empty() : Optional.of(new Date(saveDate.getTime())),
            StoredMessageId.of(rs.getString(3)),
            ThreadId.fromBaseMessageId(StoredMessageId.of(rs.getString(4))));
    }

    static ComposedMessageIdWithMetaData readMembership(ResultSet rs, long recentFrom) throws SQLException {
        StoredMessageId messageId = StoredMessageId.of(rs.getString("message_id"));
        long uid = rs.getLong("uid");
        return new ComposedMessageIdWithMetaData(
            new ComposedMessageId(StoredMailboxId.of(rs.getLong("mailbox_id")), messageId, MessageUid.of(uid)),
            RecentWatermark.mask(StoredFlags.read(rs), uid, recentFrom),
            ModSeq.of(rs.getLong("modseq")),
            ThreadId.fromBaseMessageId(StoredMessageId.of(rs.getString("thread_id"))));
    }

    /** Writes the message bytes unless a copy of this message is already stored. */
    static void insertContentIfAbsent(Connection c, MailboxMessage message) throws SQLException {
        StoredMessageId id = StoredMessageId.of(message.getMessageId());
        if (id.claimFirstWrite()) {
            // A new append: the id was generated for this message moments ago, so there is nothing to look for.
            insertContent(c, message);
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM mr_message WHERE id = ?")) {
            ps.setString(1, id.value());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        insertContent(c, message);
    }

    private static void insertContent(Connection c, MailboxMessage message) throws SQLException {
        long bodyOctets = message.getBodyOctets();
        long bodyStart = message.getFullContentOctets() - bodyOctets;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO mr_message (id, internal_date, msg_size, body_start,"
                + " text_lines, properties, header_bytes, body_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
             InputStream header = message.getHeaderContent();
             InputStream body = message.getBodyContent()) {
            ps.setString(1, StoredMessageId.of(message.getMessageId()).value());
            ps.setTimestamp(2, new Timestamp(message.getInternalDate().getTime()));
            ps.setLong(3, message.getFullContentOctets());
            ps.setInt(4, Math.toIntExact(bodyStart));
            if (message.getTextualLineCount() == null) {
                ps.setNull(5, java.sql.Types.BIGINT);
            } else {
                ps.setLong(5, message.getTextualLineCount());
            }
            ps.setString(6, PropertiesCodec.encode(message.getProperties()));
            ps.setBytes(7, header.readNBytes(Math.toIntExact(bodyStart)));
            // The body is streamed, so a large message is not copied once more on the heap.
            ps.setBinaryStream(8, body, bodyOctets);
            ps.executeUpdate();
        } catch (IOException e) {
            throw new SQLException("Cannot read the message being stored: " + e.getMessage(), e);
        }
    }

    static void insertMembership(Connection c, long mailboxId, MessageUid uid, ModSeq modSeq, MailboxMessage message,
                                 Flags flags, Date saveDate, KnownKeywords knownKeywords) throws SQLException {
        insertMembershipRow(c, mailboxId, uid, modSeq, message, flags, saveDate);
        adjustCounters(c, mailboxId, 1, flags.contains(Flags.Flag.SEEN) ? 0 : 1, message.getFullContentOctets(), true);
        rememberKeywords(c, mailboxId, flags, knownKeywords);
    }

    private static final String INSERT_MEMBERSHIP = "INSERT INTO mr_mailbox_message (mailbox_id, uid, message_id,"
        + " thread_id, modseq, " + StoredFlags.COLUMNS + ", save_date, msg_size, internal_date_millis)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static void insertMembershipRow(Connection c, long mailboxId, MessageUid uid, ModSeq modSeq,
                                            MailboxMessage message, Flags flags, Date saveDate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_MEMBERSHIP)) {
            bindMembership(ps, mailboxId, uid.asLong(), modSeq.asLong(), message, flags, saveDate);
            ps.executeUpdate();
        }
    }

    private static void bindMembership(PreparedStatement ps, long mailboxId, long uid, long modSeq,
                                       MailboxMessage message, Flags flags, Date saveDate) throws SQLException {
        // msg_size and the internal date repeat the message row's values (V12; the date as epoch milliseconds, V18),
        // so metadata FETCHes need no join and no TIMESTAMP conversion.
        ps.setLong(1, mailboxId);
        ps.setLong(2, uid);
        ps.setString(3, StoredMessageId.of(message.getMessageId()).value());
        ps.setString(4, threadColumn(message));
        ps.setLong(5, modSeq);
        int next = StoredFlags.bind(ps, 6, flags);
        ps.setTimestamp(next, new Timestamp(saveDate.getTime()));
        ps.setLong(next + 1, message.getFullContentOctets());
        ps.setLong(next + 2, message.getInternalDate().getTime());
    }

    /**
     * Keeps the mailbox row's message, unseen and byte counts (and, when memberships were added or removed, its
     * content version) in step with the memberships, inside the transaction that changed them. The message and
     * byte counts are also the quota usage of the mailbox's owner ({@code JdbcCurrentQuotaManager} sums them), so
     * a crash can never separate the quota from the mailboxes.
     */
    static void adjustCounters(Connection c, long mailboxId, long messages, long unseen, long bytes,
                               boolean membershipsChanged) throws SQLException {
        if (messages == 0 && unseen == 0 && bytes == 0 && !membershipsChanged) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE mr_mailbox SET message_count = message_count + ?,"
            + " unseen_count = unseen_count + ?, message_bytes = message_bytes + ?,"
            + " content_version = content_version + ? WHERE id = ?")) {
            ps.setLong(1, messages);
            ps.setLong(2, unseen);
            ps.setLong(3, bytes);
            ps.setLong(4, membershipsChanged ? 1 : 0);
            ps.setLong(5, mailboxId);
            ps.executeUpdate();
        }
    }

    /** Removes the memberships of one message, adjusting the counters of every mailbox it leaves. */
    static void deleteMembershipsOf(Connection c, String messageId, java.util.function.LongPredicate inMailbox)
            throws SQLException {
        java.util.Map<Long, long[]> deltas = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT mm.mailbox_id, mm.uid, mm.is_seen, m.msg_size FROM mr_mailbox_message mm"
                + " JOIN mr_message m ON m.id = mm.message_id WHERE mm.message_id = ?")) {
            ps.setString(1, messageId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long mailboxId = rs.getLong(1);
                    if (inMailbox.test(mailboxId)) {
                        long[] delta = deltas.computeIfAbsent(mailboxId, id -> new long[3]);
                        delta[0]--;
                        delta[1] -= rs.getBoolean(3) ? 0 : 1;
                        delta[2] -= rs.getLong(4);
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
            "DELETE FROM mr_mailbox_message WHERE message_id = ? AND mailbox_id = ?")) {
            for (Long mailboxId : deltas.keySet()) {
                ps.setString(1, messageId);
                ps.setLong(2, mailboxId);
                ps.addBatch();
            }
            if (!deltas.isEmpty()) {
                ps.executeBatch();
            }
        }
        for (java.util.Map.Entry<Long, long[]> delta : deltas.entrySet()) {
            adjustCounters(c, delta.getKey(), delta.getValue()[0], delta.getValue()[1], delta.getValue()[2], true);
        }
        deleteUnreferenced(c, List.of(messageId));
    }

    /**
     * Adds keywords not seen before in this mailbox to its keyword list. The list only grows (as in Dovecot),
     * so the FLAGS response is one column read instead of a scan of every message; and because it only grows,
     * keywords already read on it by this process ({@code cache}) need no statement at all.
     */
    static void rememberKeywords(Connection c, long mailboxId, Flags flags, KnownKeywords cache) throws SQLException {
        String[] keywords = flags.getUserFlags();
        if (keywords.length == 0 || cache.containsAll(mailboxId, keywords)) {
            return;
        }
        Flags known = new Flags();
        try (PreparedStatement ps = c.prepareStatement(KEYWORDS)) {
            ps.setLong(1, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                StoredFlags.addKeywords(known, rs.getString(1));
            }
        }
        cache.read(mailboxId, known);
        Flags merged = new Flags(known);
        for (String keyword : flags.getUserFlags()) {
            merged.add(keyword);
        }
        if (merged.getUserFlags().length == known.getUserFlags().length) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE mr_mailbox SET keywords = ? WHERE id = ?")) {
            ps.setString(1, StoredFlags.encodeKeywords(merged));
            ps.setLong(2, mailboxId);
            ps.executeUpdate();
        }
    }

    static Flags knownKeywords(Connection c, long mailboxId) throws SQLException {
        Flags known = new Flags();
        try (PreparedStatement ps = c.prepareStatement(KEYWORDS)) {
            ps.setLong(1, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    StoredFlags.addKeywords(known, rs.getString(1));
                }
            }
        }
        return known;
    }

    private static String threadColumn(MailboxMessage message) {
        if (message.getThreadId() == null) {
            return StoredMessageId.of(message.getMessageId()).value();
        }
        return StoredMessageId.of(message.getThreadId().getBaseMessageId()).value();
    }

    /**
     * Everything new memberships change on their mailbox row, in one UPDATE: the next {@code count} UIDs and MODSEQs
     * (one each, consecutive) and the message, unseen and byte counts (the byte and message counts are the owner's quota
     * usage). Not the content version: the memberships take their MODSEQs here, under the row's lock held to the
     * commit, which is how the metadata snapshots see them ({@link MetadataSnapshots}). Appends are the hot write path, and every statement costs Derby far more CPU
     * than its work (parse-cache lookup, activation, locking, logging). When {@code last} holds the numbers this
     * process saw on the row, the UPDATE sets the next ones only if the row still holds those (a compare-and-set),
     * and nothing needs reading back: an append is then three statements (the message insert, this one and the
     * membership insert). Otherwise (first append to the mailbox in this process, or the row moved on: another
     * server, a flag update) the UPDATE adds {@code count} to whatever the row holds and one SELECT reads back what
     * it took (Derby has no UPDATE ... RETURNING). Either way the row stays locked until the transaction ends.
     *
     * @return the first UID and MODSEQ taken; the others follow it one by one
     */
    static NewMembership allocateForNewMemberships(Connection c, LastAllocations last, long mailboxId, int count,
                                                   long unseen, long bytes) throws SQLException {
        LastAllocations.Last seen = last.get(mailboxId);
        if (seen != null) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE mr_mailbox SET last_uid = ?, highest_modseq = ?,"
                + " message_count = message_count + ?, unseen_count = unseen_count + ?,"
                + " message_bytes = message_bytes + ?"
                + " WHERE id = ? AND last_uid = ? AND highest_modseq = ?")) {
                ps.setLong(1, seen.uid() + count);
                ps.setLong(2, seen.modSeq() + count);
                ps.setLong(3, count);
                ps.setLong(4, unseen);
                ps.setLong(5, bytes);
                ps.setLong(6, mailboxId);
                ps.setLong(7, seen.uid());
                ps.setLong(8, seen.modSeq());
                if (ps.executeUpdate() == 1) {
                    // Remembered before the commit: if the transaction rolls back, the next compare-and-set finds
                    // the row behind this guess, changes nothing and falls back below.
                    last.put(mailboxId, seen.uid() + count, seen.modSeq() + count);
                    return new NewMembership(MessageUid.of(seen.uid() + 1), ModSeq.of(seen.modSeq() + 1));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE mr_mailbox SET last_uid = last_uid + ?,"
            + " highest_modseq = highest_modseq + ?, message_count = message_count + ?,"
            + " unseen_count = unseen_count + ?, message_bytes = message_bytes + ? WHERE id = ?")) {
            ps.setLong(1, count);
            ps.setLong(2, count);
            ps.setLong(3, count);
            ps.setLong(4, unseen);
            ps.setLong(5, bytes);
            ps.setLong(6, mailboxId);
            requireMailbox(ps.executeUpdate(), mailboxId);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT last_uid, highest_modseq FROM mr_mailbox WHERE id = ?")) {
            ps.setLong(1, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long uid = rs.getLong(1);
                long modSeq = rs.getLong(2);
                last.put(mailboxId, uid, modSeq);
                return new NewMembership(MessageUid.of(uid - count + 1), ModSeq.of(modSeq - count + 1));
            }
        }
    }

    /** {@link #allocateForNewMemberships} for one membership with these flags and size. */
    static NewMembership allocateForNewMembership(Connection c, LastAllocations last, long mailboxId, Flags flags,
                                                  long bytes) throws SQLException {
        return allocateForNewMemberships(c, last, mailboxId, 1, flags.contains(Flags.Flag.SEEN) ? 0 : 1, bytes);
    }

    /**
     * What {@link #allocateForNewMemberships} took (the first of them): the mailbox row stays locked until the
     * transaction ends.
     */
    record NewMembership(MessageUid uid, ModSeq modSeq) {
        NewMembership plus(int offset) {
            return new NewMembership(MessageUid.of(uid.asLong() + offset), ModSeq.of(modSeq.asLong() + offset));
        }
    }

    /** A message to file as a new membership, with the flags and save date it is stored with. */
    record NewMessage(MailboxMessage message, Flags flags, Date saveDate) {
    }

    /**
     * Inserts a membership whose UID and MODSEQ came from {@link #allocateForNewMemberships}, which already counted
     * it (messages, bytes) on the mailbox row.
     */
    static void insertNewMembership(Connection c, long mailboxId, NewMembership allocation, MailboxMessage message,
                                    Flags flags, Date saveDate, KnownKeywords knownKeywords) throws SQLException {
        insertMembershipRow(c, mailboxId, allocation.uid(), allocation.modSeq(), message, flags, saveDate);
        rememberKeywords(c, mailboxId, flags, knownKeywords);
    }

    /**
     * Inserts the memberships of {@code messages}, the i-th with the i-th UID and MODSEQ from {@code first} (all
     * counted on the mailbox row already by {@link #allocateForNewMemberships}), as one JDBC batch, and remembers
     * their keywords.
     */
    static void insertNewMemberships(Connection c, long mailboxId, NewMembership first, List<NewMessage> messages,
                                     KnownKeywords knownKeywords) throws SQLException {
        if (messages.size() == 1) {
            NewMessage only = messages.get(0);
            insertNewMembership(c, mailboxId, first, only.message(), only.flags(), only.saveDate(), knownKeywords);
            return;
        }
        Flags keywords = new Flags();
        try (PreparedStatement ps = c.prepareStatement(INSERT_MEMBERSHIP)) {
            for (int i = 0; i < messages.size(); i++) {
                NewMessage m = messages.get(i);
                NewMembership taken = first.plus(i);
                bindMembership(ps, mailboxId, taken.uid().asLong(), taken.modSeq().asLong(), m.message(), m.flags(),
                    m.saveDate());
                ps.addBatch();
                for (String keyword : m.flags().getUserFlags()) {
                    keywords.add(keyword);
                }
            }
            ps.executeBatch();
        }
        rememberKeywords(c, mailboxId, keywords, knownKeywords);
    }

    /** Takes the mailbox row's write lock for the rest of the transaction. */
    static void lockMailbox(Connection c, long mailboxId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
            "UPDATE mr_mailbox SET highest_modseq = highest_modseq WHERE id = ?")) {
            ps.setLong(1, mailboxId);
            requireMailbox(ps.executeUpdate(), mailboxId);
        }
    }

    /**
     * As {@link #lockMailbox}, for a writer that has nothing to do when the mailbox is gone (an expunge): it changes
     * nothing then. Every writer that touches both a mailbox row and its memberships locks the mailbox row first, so
     * two writers never wait on each other in opposite orders (a delete that locked its memberships first deadlocked
     * with a concurrent flag update in Derby).
     */
    static void lockMailboxIfPresent(Connection c, long mailboxId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
            "UPDATE mr_mailbox SET highest_modseq = highest_modseq WHERE id = ?")) {
            ps.setLong(1, mailboxId);
            ps.executeUpdate();
        }
    }

    static ModSeq allocateModSeq(Connection c, long mailboxId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
            "UPDATE mr_mailbox SET highest_modseq = highest_modseq + 1 WHERE id = ?")) {
            ps.setLong(1, mailboxId);
            requireMailbox(ps.executeUpdate(), mailboxId);
        }
        try (PreparedStatement ps = c.prepareStatement(HIGHEST_MODSEQ)) {
            ps.setLong(1, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return ModSeq.of(rs.getLong(1));
            }
        }
    }

    static MessageUid allocateUid(Connection c, long mailboxId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE mr_mailbox SET last_uid = last_uid + 1 WHERE id = ?")) {
            ps.setLong(1, mailboxId);
            requireMailbox(ps.executeUpdate(), mailboxId);
        }
        try (PreparedStatement ps = c.prepareStatement(LAST_UID)) {
            ps.setLong(1, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return MessageUid.of(rs.getLong(1));
            }
        }
    }

    private static void requireMailbox(int updated, long mailboxId) {
        if (updated == 0) {
            throw new MissingMailbox(mailboxId);
        }
    }

    /** Signals, out of a transaction lambda, that the mailbox row is gone. */
    static final class MissingMailbox extends RuntimeException {
        MissingMailbox(long mailboxId) {
            super("Mailbox " + mailboxId + " does not exist", null, false, false);
        }

        MailboxNotFoundException toMailboxException(long mailboxId) {
            return new MailboxNotFoundException(StoredMailboxId.of(mailboxId));
        }
    }

    /**
     * Removes every message of a mailbox, and the bytes no other mailbox references; the caller then deletes the
     * mailbox row in the same transaction (its counters, and so its share of the quota, go with it). No foreign
     * key ties memberships to their mailbox (it cost every append an index entry), so the mailbox row is locked
     * first: an append or copy in flight either committed its membership before (and it is deleted here) or waits,
     * then finds the row gone and fails, because every membership insert first updates its mailbox row.
     */
    static void deleteMailboxContents(Connection c, long mailboxId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
            "UPDATE mr_mailbox SET content_version = content_version + 1 WHERE id = ?")) {
            ps.setLong(1, mailboxId);
            if (ps.executeUpdate() == 0) {
                return;
            }
        }
        List<String> messageIds = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT message_id FROM mr_mailbox_message WHERE mailbox_id = ?")) {
            ps.setLong(1, mailboxId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    messageIds.add(rs.getString(1));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM mr_mailbox_message WHERE mailbox_id = ?")) {
            ps.setLong(1, mailboxId);
            ps.executeUpdate();
        }
        deleteUnreferenced(c, messageIds);
    }

    static void deleteUnreferenced(Connection c, Collection<String> messageIds) throws SQLException {
        if (messageIds.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM mr_message WHERE id = ? AND NOT EXISTS"
            + " (SELECT 1 FROM mr_mailbox_message WHERE message_id = ?)")) {
            for (String id : messageIds) {
                ps.setString(1, id);
                ps.setString(2, id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
