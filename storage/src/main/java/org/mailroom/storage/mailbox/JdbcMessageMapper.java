package org.mailroom.storage.mailbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import javax.mail.Flags;

import org.apache.james.mailbox.ApplicableFlagBuilder;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.ComposedMessageIdWithMetaData;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxCounters;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.util.ReactorUtils;
import org.reactivestreams.Publisher;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.schema.StorageException;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Messages of one mailbox over JDBC. Every method is one committed transaction, so an append is durable
 * when it returns. The hot IMAP paths (all UIDs, metadata, counters, flag updates over ranges, expunge) are
 * set-based statements that never load message bytes.
 */
public final class JdbcMessageMapper implements MessageMapper {
    /** Reads of {@link #visitRows} that a lock conflict ended before any row reached the visitor, at most. */
    private static final int MAX_READ_ATTEMPTS = 3;
    /** The statement of {@link #visitHeaders}. */
    private static final String HEADERS_BETWEEN = MessageRows.SELECT_UID_HEADER
        + " WHERE mm.mailbox_id = ? AND mm.uid BETWEEN ? AND ? ORDER BY mm.uid";

    /** The statements of {@link #getMailboxCounters} and {@link #findFirstUnseenMessageUid}. */
    private static final String COUNTERS = "SELECT message_count, unseen_count FROM mr_mailbox WHERE id = ?";
    private static final String FIRST_UNSEEN = "SELECT uid FROM mr_mailbox_message WHERE mailbox_id = ? AND is_seen = FALSE"
        + " ORDER BY uid FETCH FIRST 1 ROWS ONLY";
    /**
     * What an IMAP SELECT (or EXAMINE) runs on the mailbox row and its memberships: the counters, the first unseen,
     * the \Recent watermark's read and move, the snapshot's marks, the known keywords, the highest mod-sequence and
     * last UID. Compiled at start with the reads below: in a fresh server the first SELECT compiled all eight.
     */
    private static final List<String> SELECT_COMMAND = List.of(COUNTERS, FIRST_UNSEEN, RecentWatermark.READ,
        RecentWatermark.MOVE_PAST, MetadataSnapshots.MARKS, MessageRows.KEYWORDS, MessageRows.HIGHEST_MODSEQ,
        MessageRows.LAST_UID);

    private final Database db;
    private final Clock clock;
    private final long maxMessageSize;
    private final MetadataSnapshots snapshots = new MetadataSnapshots();
    private final LastAllocations lastAllocations = new LastAllocations();
    private final KnownKeywords knownKeywords = new KnownKeywords();
    private final AddedEventOrder addedEventOrder = new AddedEventOrder();
    private final GroupCommit<MessageRows.NewMessage, MessageMetaData> appends = new GroupCommit<>(this::writeAppends);

    public JdbcMessageMapper(Database db, Clock clock) {
        this(db, clock, Long.MAX_VALUE);
    }

    /** A mapper that refuses to store messages larger than {@code maxMessageSize} bytes. */
    public JdbcMessageMapper(Database db, Clock clock, long maxMessageSize) {
        this.db = db;
        this.clock = clock;
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    public Iterator<MailboxMessage> findInMailbox(Mailbox mailbox, MessageRange set, FetchType type, int limit) throws MailboxException {
        UidRangeClause range = new UidRangeClause(set);
        String sql = MessageRows.selectMessages(type) + " WHERE mm.mailbox_id = ?" + range.sql() + " ORDER BY mm.uid"
            + (limit > 0 ? " FETCH FIRST " + limit + " ROWS ONLY" : "");
        return db.read(c -> {
            long recentFrom = RecentWatermark.read(c, id(mailbox));
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, id(mailbox));
                range.bind(ps, 2);
                List<MailboxMessage> result = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(MessageRows.readMessage(db, rs, type, recentFrom));
                    }
                }
                return result;
            }
        }).iterator();
    }

    /** A message's UID and raw header bytes, as a header search reads them. */
    @FunctionalInterface
    public interface HeaderRowTest {
        boolean test(long uid, byte[] header);
    }

    /**
     * The messages of the mailbox whose row passes {@code test}, in UID order, with their headers (as
     * {@link FetchType#HEADERS}): one pass in which a message that fails the test is never built (no dates,
     * properties or flags decoded for it), so a header search pays for the rows it rejects little more than
     * Derby's reading of the header.
     */
    public List<MailboxMessage> findByHeader(Mailbox mailbox, HeaderRowTest test) {
        String sql = MessageRows.selectMessages(FetchType.HEADERS) + " WHERE mm.mailbox_id = ? ORDER BY mm.uid";
        return db.read(c -> {
            long recentFrom = RecentWatermark.read(c, id(mailbox));
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, id(mailbox));
                List<MailboxMessage> result = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    int uidColumn = rs.findColumn("uid");
                    int headerColumn = rs.findColumn("header_bytes");
                    while (rs.next()) {
                        byte[] header = rs.getBytes(headerColumn);
                        if (test.test(rs.getLong(uidColumn), header)) {
                            result.add(MessageRows.readMessage(db, rs, FetchType.HEADERS, header, recentFrom));
                        }
                    }
                }
                return result;
            }
        });
    }

    /** A message's UID and raw header bytes, as {@link #visitHeaders} reads them. */
    @FunctionalInterface
    public interface HeaderRowVisitor {
        void visit(long uid, byte[] header);
    }

    /**
     * Each message of the mailbox with a UID from {@code fromUid} to {@code toUid}, in UID order, given to
     * {@code visitor} as its UID and header bytes: one statement that reads nothing else (no flags, dates or
     * properties decoded, no \Recent watermark), for a header search's cache ({@link HeaderBytesCache}).
     */
    public void visitHeaders(Mailbox mailbox, long fromUid, long toUid, HeaderRowVisitor visitor) {
        db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(HEADERS_BETWEEN)) {
                ps.setLong(1, id(mailbox));
                ps.setLong(2, fromUid);
                ps.setLong(3, toUid);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        visitor.visit(rs.getLong(1), rs.getBytes(2));
                    }
                }
                return null;
            }
        });
    }

    /** The mailbox's UIDs in ascending order (empty for a mailbox that is gone), from the metadata snapshot. */
    long[] currentUids(Mailbox mailbox) {
        return db.read(c -> snapshots.uids(c, id(mailbox)));
    }

    @Override
    public Flux<ComposedMessageIdWithMetaData> listMessagesMetadata(Mailbox mailbox, MessageRange set) {
        UidRangeClause range = new UidRangeClause(set);
        return blockingMany(() -> db.read(c -> {
            long recentFrom = RecentWatermark.read(c, id(mailbox));
            try (PreparedStatement ps = c.prepareStatement("SELECT " + MessageRows.MEMBERSHIP_COLUMNS
                + " FROM mr_mailbox_message mm WHERE mm.mailbox_id = ?" + range.sql() + " ORDER BY mm.uid")) {
                ps.setLong(1, id(mailbox));
                range.bind(ps, 2);
                List<ComposedMessageIdWithMetaData> result = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(MessageRows.readMembership(rs, recentFrom));
                    }
                }
                return result;
            }
        }));
    }

    /**
     * The metadata of the messages in the range, in UID order, from membership rows alone (see
     * {@link MessageRows#SELECT_MEMBERSHIP_METADATA}): what a FETCH of flags, sizes and dates needs.
     */
    public Flux<MessageMetaData> listMessageMetaData(Mailbox mailbox, MessageRange set) {
        UidRangeClause range = new UidRangeClause(set);
        return blockingMany(() -> db.read(c -> {
            long recentFrom = RecentWatermark.read(c, id(mailbox));
            try (PreparedStatement ps = c.prepareStatement(MessageRows.SELECT_MEMBERSHIP_METADATA
                + " WHERE mm.mailbox_id = ?" + range.sql() + " ORDER BY mm.uid")) {
                ps.setLong(1, id(mailbox));
                range.bind(ps, 2);
                List<MessageMetaData> result = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(MessageRows.readMembershipMetaData(rs, recentFrom));
                    }
                }
                return result;
            }
        }));
    }

    /**
     * The metadata of the messages in the range, in UID order, handed to {@code visitor} row by row (no object per
     * message): what IMAP's FETCH of flags, sizes, dates and MODSEQs encodes. Read from the mailbox's
     * {@link MetadataSnapshot} after one statement has checked it is current, else from the range's rows.
     */
    public void visitMetadataRows(Mailbox mailbox, MessageRange set, MetadataRowVisitor visitor) {
        if (db.read(c -> snapshots.visit(c, id(mailbox), set, visitor))) {
            return;
        }
        visitRows(mailbox, set, false, (rs, uid, systemFlags) -> visitor.row(uid, rs.getLong(2), rs.getLong(3),
            rs.getLong(4), systemFlags, rs.getString(11)));
    }

    /** Membership rows of {@code set} with their messages' bytes, one statement for the whole range. */
    public void visitContentRows(Mailbox mailbox, MessageRange set, ContentRowVisitor visitor) {
        visitRows(mailbox, set, true, (rs, uid, systemFlags) -> visitor.row(uid, rs.getLong(2), rs.getLong(3),
            rs.getLong(4), systemFlags, rs.getString(11), rs.getBytes(12), rs.getBytes(13)));
    }

    /**
     * The message {@code uid} of the mailbox, if it is at most {@code maxSize} octets, handed to {@code visitor} with
     * the parts of its membership that never change, by a read that waits for nothing ({@link
     * Database#readWithoutWaiting}); returns false, having called nothing, when that read cannot be made or finds no
     * such message (expunged, being expunged, larger, or never there): the caller then reads with {@link
     * #visitContentRows}, which may wait and tells those cases apart.
     *
     * <p>Why nothing can make it wait: it touches two tables whose rows it reads never change once committed (a
     * membership's UID, size, date and message; the message's bytes; a STORE changes only flags and MODSEQ, which it
     * does not read), not the mailbox row every APPEND and STORE updates (no \Recent watermark: the caller shows no
     * flags); it takes no row lock ({@link Dialect#readWithoutRowLocks}), so a writer's uncommitted row is never
     * waited for (a row being inserted is read only if its UID was asked for, which the caller asks only for UIDs its
     * session has seen committed; a row being deleted reads as gone, and the caller falls back); the table intent
     * lock it still takes on Derby conflicts only with a lock on a whole table, which Mailroom never takes after start:
     * no lock escalation ({@code Database}), no DDL but migrations, re-plans excluded by {@code Database}. On
     * PostgreSQL no reader waits for a writer (MVCC); the read is a round trip to the server
     * ({@link #readsInProcess}).
     */
    public boolean visitSmallMessageWithoutWaiting(Mailbox mailbox, long uid, long maxSize,
                                                   ImmutableMessageVisitor visitor) {
        Optional<SmallMessage> read;
        try {
            read = db.readWithoutWaiting(c -> {
                try (PreparedStatement ps = c.prepareStatement(SMALL_MESSAGE + db.dialect().readWithoutRowLocks())) {
                    ps.setLong(1, id(mailbox));
                    ps.setLong(2, uid);
                    ps.setLong(3, maxSize);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next()
                            ? new SmallMessage(rs.getLong(1), rs.getLong(2), rs.getBytes(3), rs.getBytes(4)) : null;
                    }
                }
            });
        } catch (StorageException e) {
            // e.g. a dirty read of a message whose row was being freed: the read that may wait answers instead
            return false;
        }
        read.ifPresent(message -> visitor.message(uid, message.size(), message.internalDateMillis(), message.header(),
            message.body()));
        return read.isPresent();
    }

    /** Whether the database answers in this process, with no network round trip ({@link Database#inProcess}). */
    public boolean readsInProcess() {
        return db.inProcess();
    }

    /** The statement of {@link #visitSmallMessageWithoutWaiting}, without its isolation clause. */
    private static final String SMALL_MESSAGE = "SELECT mm.msg_size, mm.internal_date_millis, m.header_bytes,"
        + " m.body_bytes" + MessageRows.FROM_JOIN + " WHERE mm.mailbox_id = ? AND mm.uid = ? AND mm.msg_size <= ?";

    private record SmallMessage(long size, long internalDateMillis, byte[] header, byte[] body) {
    }

    /** One membership row of {@link #visitRows}, its UID and its system flags with \Recent already masked. */
    @FunctionalInterface
    private interface MembershipRowReader {
        void read(ResultSet rs, long uid, int systemFlags) throws SQLException;
    }

    /**
     * The one statement behind both row visitors: uid, modseq, size, internal date and flags of each membership of
     * the range in UID order (columns 1-11), then the message's header and body bytes (12, 13) when
     * {@code withContent}.
     *
     * <p>With content (IMAP's FETCH of whole messages, mostly of one message per command) the mailbox's \Recent
     * watermark comes with each row from a primary-key subquery (column 14): one statement and one autocommit per
     * FETCH instead of two, the watermark's own read having cost as much as the join (a fifth of the command's
     * server CPU). Rows of metadata alone (many per command) read it once, before the scan.
     */
    private void visitRows(Mailbox mailbox, MessageRange set, boolean withContent, MembershipRowReader reader) {
        UidRangeClause range = new UidRangeClause(set);
        int[] rowsHandedOver = new int[1];
        for (int attempt = 1; ; attempt++) {
            try {
                db.read(c -> {
                    long scanRecentFrom = withContent ? RecentWatermark.NONE : RecentWatermark.read(c, id(mailbox));
                    try (PreparedStatement ps = c.prepareStatement(rowsSql(withContent, range))) {
                        ps.setLong(1, id(mailbox));
                        range.bind(ps, 2);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                long uid = rs.getLong(1);
                                long recentFrom = withContent ? rowRecentFrom(rs) : scanRecentFrom;
                                rowsHandedOver[0]++;
                                reader.read(rs, uid,
                                    RecentWatermark.mask(StoredFlags.readSystemFlags(rs, 5), uid, recentFrom));
                            }
                        }
                        return null;
                    }
                });
                return;
            } catch (StorageException e) {
                // With content, the row's \Recent subquery takes a shared lock on the mailbox row while the cursor
                // holds the membership row's: a STORE of the same mailbox locks them the other way round, and Derby
                // ends the deadlock by failing one of the two. Read again, unless rows already reached the visitor
                // (the client would see them twice).
                if (rowsHandedOver[0] > 0 || attempt >= MAX_READ_ATTEMPTS || !Database.isTransientConflict(e)) {
                    throw e;
                }
            }
        }
    }

    /** The statement of {@link #visitRows}. */
    private static String rowsSql(boolean withContent, UidRangeClause range) {
        String from = withContent ? ", m.header_bytes, m.body_bytes" + RecentWatermark.COLUMN + MessageRows.FROM_JOIN
            : " FROM mr_mailbox_message mm";
        return "SELECT mm.uid, mm.modseq, mm.msg_size, mm.internal_date_millis, " + StoredFlags.COLUMNS + from
            + " WHERE mm.mailbox_id = ?" + range.sql() + " ORDER BY mm.uid";
    }

    /**
     * Has the database compile the statements of an IMAP session's first reads of a mailbox's messages (a FETCH of
     * one or several whole messages, a header SEARCH) now, while the store starts, instead of in the first such
     * command after every start. Derby compiles each new SQL text into a generated class (parse, optimise, byte code,
     * class loading): about 10 ms of CPU for the body FETCH's join in a JVM that has just opened the store, half the
     * samples of a fresh server's first body FETCH (bench/README.md, "h-imapcold", twelfth session); and those of an
     * IMAP SELECT ({@link #SELECT_COMMAND}: eight statements on the mailbox row, which also made Derby's SQL compiler hot
     * enough for C2 to compile it during the next commands, bench/README.md, h-deopt, twentieth session). The compiled plan
     * stays in Derby's statement cache and the prepared statement in the store's ({@code StatementCache}); nothing is
     * executed. PostgreSQL's driver prepares without a round trip.
     */
    public void prepareReadStatements() {
        db.read(c -> {
            for (String sql : List.of(
                    rowsSql(true, new UidRangeClause(MessageRange.one(MessageUid.MIN_VALUE))),
                    rowsSql(true, new UidRangeClause(MessageRange.range(MessageUid.of(1), MessageUid.of(2)))),
                    SMALL_MESSAGE + db.dialect().readWithoutRowLocks(),
                    HEADERS_BETWEEN)) {
                c.prepareStatement(sql).close();
            }
            for (String sql : SELECT_COMMAND) {
                c.prepareStatement(sql).close();
            }
            return null;
        });
    }

    /** Column 14 of {@link #visitRows} with content: as {@link RecentWatermark#read}, NONE for a missing mailbox. */
    private static long rowRecentFrom(ResultSet rs) throws SQLException {
        long recentFrom = rs.getLong(14);
        return rs.wasNull() ? RecentWatermark.NONE : recentFrom;
    }

    @Override
    public Flux<MessageUid> listAllMessageUids(Mailbox mailbox) {
        return Mono.fromCallable(() -> currentUids(mailbox))
            .subscribeOn(Schedulers.boundedElastic())
            .flatMapMany(uids -> Flux.fromStream(Arrays.stream(uids).mapToObj(MessageUid::of)));
    }

    /**
     * The \Deleted messages of the range, from the mailbox's metadata snapshot brought up to the marks read now (an
     * expunge follows the STORE that marked them, which the snapshot already holds): one statement on the mailbox row
     * instead of a scan of every membership row for the flag.
     */
    @Override
    public List<MessageUid> retrieveMessagesMarkedForDeletion(Mailbox mailbox, MessageRange set) {
        List<Long> uids = db.read(c -> snapshots.deletedUids(c, id(mailbox), set));
        return uids == null ? List.of() : uids.stream().map(MessageUid::of).toList();
    }

    @Override
    public long countMessagesInMailbox(Mailbox mailbox) {
        return getMailboxCounters(mailbox).getCount();
    }

    @Override
    public MailboxCounters getMailboxCounters(Mailbox mailbox) {
        // Kept on the mailbox row by every transaction that changes memberships: one row read, whatever the size.
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(COUNTERS)) {
                ps.setLong(1, id(mailbox));
                try (ResultSet rs = ps.executeQuery()) {
                    boolean found = rs.next();
                    return MailboxCounters.builder()
                        .mailboxId(mailbox.getMailboxId())
                        .count(found ? rs.getLong(1) : 0)
                        .unseen(found ? rs.getLong(2) : 0)
                        .build();
                }
            }
        });
    }

    @Override
    public void delete(Mailbox mailbox, MailboxMessage message) {
        deleteMessages(mailbox, List.of(message.getUid()));
    }

    @Override
    public Map<MessageUid, MessageMetaData> deleteMessages(Mailbox mailbox, List<MessageUid> uids) {
        if (uids.isEmpty()) {
            return Map.of();
        }
        long mailboxId = id(mailbox);
        Expunge expunge = db.transaction(c -> {
            MessageRows.lockMailboxIfPresent(c, mailboxId);
            // read under the lock, held to the commit: the marks this expunge changes (MetadataSnapshots#expunged)
            MetadataSnapshots.Marks before = MetadataSnapshots.marks(c, mailboxId);
            long recentFrom = before == null ? RecentWatermark.NONE : before.recentFrom();
            Map<MessageUid, MessageMetaData> deleted = new LinkedHashMap<>();
            // Contiguous UIDs become one range each, so expunging a block of messages is a handful of statements.
            for (MessageRange range : MessageRange.toRanges(uids)) {
                UidRangeClause clause = new UidRangeClause(range);
                // the membership rows alone hold what the Expunged event carries (size and date since V12): no join
                try (PreparedStatement ps = c.prepareStatement(MessageRows.SELECT_MEMBERSHIP_METADATA
                    + " WHERE mm.mailbox_id = ?" + clause.sql())) {
                    ps.setLong(1, mailboxId);
                    clause.bind(ps, 2);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            MessageMetaData metaData = MessageRows.readMembershipMetaData(rs, recentFrom);
                            deleted.put(metaData.getUid(), metaData);
                        }
                    }
                }
                UidRangeClause plain = new UidRangeClause(range, "uid");
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM mr_mailbox_message WHERE mailbox_id = ?"
                    + plain.sql())) {
                    ps.setLong(1, mailboxId);
                    plain.bind(ps, 2);
                    ps.executeUpdate();
                }
            }
            long unseen = deleted.values().stream().filter(m -> !m.getFlags().contains(Flags.Flag.SEEN)).count();
            MessageRows.adjustCounters(c, mailboxId, -deleted.size(), -unseen,
                -deleted.values().stream().mapToLong(MessageMetaData::getSize).sum(), !deleted.isEmpty());
            MessageRows.deleteUnreferenced(c, deleted.values().stream()
                .map(m -> StoredMessageId.of(m.getMessageId()).value()).distinct().toList());
            return new Expunge(before, deleted);
        });
        if (expunge.before() != null && !expunge.deleted().isEmpty()) {
            snapshots.expunged(mailboxId, expunge.before(),
                expunge.deleted().keySet().stream().map(MessageUid::asLong).toList());
        }
        return expunge.deleted();
    }

    /** A committed {@link #deleteMessages}: the mailbox row's marks it read under the lock, and what it removed. */
    private record Expunge(MetadataSnapshots.Marks before, Map<MessageUid, MessageMetaData> deleted) {
    }

    @Override
    public MessageUid findFirstUnseenMessageUid(Mailbox mailbox) {
        // The primary key's UID order, stopping at the first unseen row: MIN(uid) read every row of the mailbox.
        List<MessageUid> uids = uids(mailbox, FIRST_UNSEEN);
        return uids.isEmpty() ? null : uids.get(0);
    }

    @Override
    public List<MessageUid> findRecentMessageUidsInMailbox(Mailbox mailbox) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT uid FROM mr_mailbox_message WHERE mailbox_id = ?"
                    + " AND uid >= ? AND is_recent = TRUE ORDER BY uid")) {
                ps.setLong(1, id(mailbox));
                ps.setLong(2, RecentWatermark.read(c, id(mailbox)));
                return readUids(ps);
            }
        });
    }

    /**
     * Claims the recent messages of the mailbox for the caller ({@link RecentWatermark#claim}): one conditional UPDATE
     * of the mailbox row, no membership rewritten (James's default ran a flag update per range; before V15 this was an
     * UPDATE of every recent row, which the first SELECT after 10,000 APPENDs paid). \Recent is a session flag
     * (RFC 7162): no MODSEQ is taken, each row keeps its own. A SELECT with nothing recent writes nothing.
     */
    @Override
    public List<UpdatedFlags> resetRecent(Mailbox mailbox) throws MailboxException {
        long mailboxId = id(mailbox);
        try {
            return db.transaction(c -> RecentWatermark.claim(c, mailboxId,
                ", mm.message_id, mm.modseq, " + StoredFlags.COLUMNS, rs -> {
                    // Read by position: the first SELECT after many appends reads every row here.
                    Flags oldFlags = StoredFlags.read(rs, 4);
                    Flags newFlags = new Flags(oldFlags);
                    newFlags.remove(Flags.Flag.RECENT);
                    return UpdatedFlags.builder()
                        .uid(MessageUid.of(rs.getLong(1)))
                        .messageId(StoredMessageId.of(rs.getString(2)))
                        .modSeq(ModSeq.of(rs.getLong(3)))
                        .oldFlags(oldFlags)
                        .newFlags(newFlags)
                        .build();
                }));
        } catch (MessageRows.MissingMailbox e) {
            throw e.toMailboxException(mailboxId);
        }
    }

    /**
     * The UIDs of the recent messages, claimed for the caller as {@link #resetRecent} does, read from the primary
     * key's UID order and the flag alone: what IMAP's SELECT needs, without the flags and message ids James's
     * {@code UpdatedFlags} carry. When the mailbox's metadata snapshot is of the current content version (a SELECT
     * after appends this process committed) the UIDs come from it and no membership row is read.
     */
    public List<MessageUid> claimRecent(Mailbox mailbox) throws MailboxException {
        long mailboxId = id(mailbox);
        try {
            return db.transaction(c -> RecentWatermark.claimUids(c, mailboxId,
                (connection, from) -> snapshots.storedRecentUids(connection, mailboxId, from)));
        } catch (MessageRows.MissingMailbox e) {
            throw e.toMailboxException(mailboxId);
        }
    }

    /**
     * Stores the message and returns once it is committed. Appends to one mailbox that arrive while another is being
     * written are committed together ({@link GroupCommit}): one UID/MODSEQ range, one commit.
     */
    @Override
    public MessageMetaData add(Mailbox mailbox, MailboxMessage message) throws MailboxException {
        if (message.getFullContentOctets() > maxMessageSize) {
            throw new MessageTooLargeException(message.getFullContentOctets(), maxMessageSize);
        }
        long mailboxId = id(mailbox);
        try {
            return appends.append(mailboxId,
                new MessageRows.NewMessage(message, message.createFlags(), Date.from(clock.instant())));
        } catch (MessageRows.MissingMailbox e) {
            throw e.toMailboxException(mailboxId);
        }
    }

    /**
     * Writes appends, to one mailbox or several, in one transaction: the bytes first (the mailbox rows are locked,
     * by the UID allocations, only for the short end of the work), then per mailbox, in ascending id order (so that
     * two batches never lock rows in opposite orders), one UPDATE taking consecutive UIDs and MODSEQs for its
     * appends and their memberships. A single append is the same three statements as ever.
     */
    private List<MessageMetaData> writeAppends(List<GroupCommit.Append<MessageRows.NewMessage>> batch) {
        SortedMap<Long, List<MessageRows.NewMessage>> byMailbox = new TreeMap<>();
        for (GroupCommit.Append<MessageRows.NewMessage> append : batch) {
            byMailbox.computeIfAbsent(append.mailboxId(), id -> new ArrayList<>()).add(append.value());
        }
        Map<Long, List<Long>> allocated = new HashMap<>();
        try {
            db.transactionVoid(c -> {
                // A retried attempt (lock timeout, deadlock) rolled back the UIDs the previous one took.
                releaseAll(allocated);
                for (GroupCommit.Append<MessageRows.NewMessage> append : batch) {
                    MessageRows.insertContentIfAbsent(c, append.value().message());
                }
                for (Map.Entry<Long, List<MessageRows.NewMessage>> mailbox : byMailbox.entrySet()) {
                    allocated.put(mailbox.getKey(), insertMemberships(c, mailbox.getKey(), mailbox.getValue()));
                }
            });
            for (Map.Entry<Long, List<MessageRows.NewMessage>> mailbox : byMailbox.entrySet()) {
                addedEventOrder.committed(mailbox.getKey(), allocated.get(mailbox.getKey()));
                snapshots.appended(mailbox.getKey(), snapshotRows(mailbox.getValue()));
            }
        } catch (RuntimeException e) {
            releaseAll(allocated);
            throw e;
        }
        List<MessageMetaData> result = new ArrayList<>(batch.size());
        for (GroupCommit.Append<MessageRows.NewMessage> append : batch) {
            result.add(append.value().message().metaData());
        }
        return result;
    }

    /**
     * Takes UIDs and MODSEQs for one mailbox's appends (their bytes are written), inserts their memberships and sets
     * the numbers on the messages; returns the UIDs taken.
     */
    private List<Long> insertMemberships(Connection c, long mailboxId, List<MessageRows.NewMessage> appends)
            throws SQLException {
        long unseen = 0;
        long bytes = 0;
        for (MessageRows.NewMessage append : appends) {
            unseen += append.flags().contains(Flags.Flag.SEEN) ? 0 : 1;
            bytes += append.message().getFullContentOctets();
        }
        MessageRows.NewMembership first =
            MessageRows.allocateForNewMemberships(c, lastAllocations, mailboxId, appends.size(), unseen, bytes);
        addedEventOrder.allocated(mailboxId, first.uid().asLong(), appends.size());
        List<Long> uids = new ArrayList<>(appends.size());
        for (int i = 0; i < appends.size(); i++) {
            uids.add(first.uid().asLong() + i);
        }
        MessageRows.insertNewMemberships(c, mailboxId, first, appends, knownKeywords);
        for (int i = 0; i < appends.size(); i++) {
            MessageRows.NewMessage append = appends.get(i);
            MessageRows.NewMembership taken = first.plus(i);
            append.message().setUid(taken.uid());
            append.message().setModSeq(taken.modSeq());
            append.message().setSaveDate(append.saveDate());
        }
        return uids;
    }

    /** Announces that the UIDs taken by a transaction that did not commit will never have an "added" event. */
    private void releaseAll(Map<Long, List<Long>> allocated) {
        for (Map.Entry<Long, List<Long>> uids : allocated.entrySet()) {
            addedEventOrder.released(uids.getKey(), uids.getValue());
        }
        allocated.clear();
    }

    private static List<MetadataSnapshot.Row> snapshotRows(List<MessageRows.NewMessage> appends) {
        List<MetadataSnapshot.Row> rows = new ArrayList<>(appends.size());
        for (MessageRows.NewMessage append : appends) {
            MailboxMessage message = append.message();
            rows.add(snapshotRow(message.getUid(), message.getModSeq(), message, append.flags()));
        }
        return rows;
    }

    /** A new membership as its row stores it (what {@link MessageRows#insertNewMemberships} wrote). */
    private static MetadataSnapshot.Row snapshotRow(MessageUid uid, ModSeq modSeq, MailboxMessage message, Flags flags) {
        return new MetadataSnapshot.Row(uid.asLong(), modSeq.asLong(), message.getFullContentOctets(),
            message.getInternalDate().getTime(), StoredFlags.systemFlagBits(flags), StoredFlags.encodeKeywords(flags));
    }

    /** The metadata snapshots (tests). */
    MetadataSnapshots snapshots() {
        return snapshots;
    }

    /** The group commits of appends (tests). */
    GroupCommit<MessageRows.NewMessage, MessageMetaData> groupCommit() {
        return appends;
    }

    /** The order in which this mapper's new UIDs must be announced ({@link OrderedAddedEvents}). */
    AddedEventOrder addedEventOrder() {
        return addedEventOrder;
    }

    /**
     * James runs every {@link #add} on its blocking-call scheduler, one more thread hand-off per append (and a
     * wake-up of the thread waiting for it). The append reaches here on a thread that may block already: James's
     * path-locker pool (IMAP APPEND, SMTP delivery) or a caller of the blocking API. Only a caller on a
     * non-blocking thread (Netty, Reactor's parallel pool) is handed off.
     */
    @Override
    public Publisher<MessageMetaData> addReactive(Mailbox mailbox, MailboxMessage message) {
        Mono<MessageMetaData> add = Mono.fromCallable(() -> add(mailbox, message));
        return Mono.defer(() -> Schedulers.isInNonBlockingThread() ? add.subscribeOn(ReactorUtils.BLOCKING_CALL_WRAPPER) : add);
    }

    @Override
    public Iterator<UpdatedFlags> updateFlags(Mailbox mailbox, FlagsUpdateCalculator calculator, MessageRange set) throws MailboxException {
        long mailboxId = id(mailbox);
        try {
            List<UpdatedFlags> updated = db.transaction(c -> updateFlags(c, mailboxId, calculator, set, knownKeywords));
            updateSnapshot(mailboxId, updated);
            return updated.iterator();
        } catch (MessageRows.MissingMailbox e) {
            throw e.toMailboxException(mailboxId);
        }
    }

    /**
     * Reads the flags of the range, computes the new ones and writes only the rows that change, in one batch,
     * under one new MODSEQ. The mailbox row is locked first, so concurrent updates of the same mailbox apply one
     * after the other and none is lost; because the lock is held to the commit, the MODSEQ and \Recent
     * watermark read right after it stay current, and the new MODSEQ and unseen count go back in one UPDATE
     * ({@link FlagUpdateMailboxRow}). A change of \Recent alone takes no MODSEQ: \Recent is a session
     * flag, not message metadata (RFC 7162), and SELECT clearing it must not move HIGHESTMODSEQ past what SELECT
     * just reported.
     */
    static List<UpdatedFlags> updateFlags(Connection c, long mailboxId, FlagsUpdateCalculator calculator, MessageRange set,
                                          KnownKeywords knownKeywords) throws SQLException {
        FlagUpdateMailboxRow mailboxRow = FlagUpdateMailboxRow.lock(c, mailboxId);
        long recentFrom = mailboxRow.recentFrom();
        UidRangeClause range = new UidRangeClause(set);
        List<ComposedMessageIdWithMetaData> current = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("SELECT " + MessageRows.MEMBERSHIP_COLUMNS
                + " FROM mr_mailbox_message mm WHERE mm.mailbox_id = ?" + range.sql() + " ORDER BY mm.uid")) {
            select.setLong(1, mailboxId);
            range.bind(select, 2);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    current.add(MessageRows.readMembership(rs, recentFrom));
                }
            }
        }
        List<Flags> newFlagsPerRow = new ArrayList<>(current.size());
        boolean metadataChanged = false;
        long lowestNewlyRecent = Long.MAX_VALUE;
        for (ComposedMessageIdWithMetaData row : current) {
            Flags newFlags = calculator.buildNewFlags(row.getFlags());
            newFlagsPerRow.add(newFlags);
            metadataChanged |= changedBesidesRecent(row.getFlags(), newFlags);
            long uid = row.getComposedMessageId().getUid().asLong();
            if (uid < recentFrom && newFlags.contains(Flags.Flag.RECENT)) {
                lowestNewlyRecent = Math.min(lowestNewlyRecent, uid);
            }
        }
        if (lowestNewlyRecent != Long.MAX_VALUE) {
            RecentWatermark.lowerTo(c, mailboxId, lowestNewlyRecent, recentFrom);
        }
        ModSeq modSeq = metadataChanged ? mailboxRow.nextModSeq() : null;

        List<UpdatedFlags> result = new ArrayList<>(current.size());
        Flags newKeywords = new Flags();
        long unseenDelta = 0;
        // a row written without a new MODSEQ (\Recent alone) or a lowered watermark must still reach the
        // metadata snapshots, which follow MODSEQs: such a change raises the content version instead
        boolean changedWithoutModSeq = lowestNewlyRecent != Long.MAX_VALUE;
        try (PreparedStatement update = c.prepareStatement("UPDATE mr_mailbox_message SET modseq = ?, "
                 + StoredFlags.ASSIGNMENTS + " WHERE mailbox_id = ? AND uid = ?")) {
            int pending = 0;
            for (int i = 0; i < current.size(); i++) {
                ComposedMessageIdWithMetaData row = current.get(i);
                Flags oldFlags = row.getFlags();
                Flags newFlags = newFlagsPerRow.get(i);
                MessageUid uid = row.getComposedMessageId().getUid();
                ModSeq rowModSeq = changedBesidesRecent(oldFlags, newFlags) ? modSeq : row.getModSeq();
                if (UpdatedFlags.flagsChanged(oldFlags, newFlags)) {
                    changedWithoutModSeq |= rowModSeq != modSeq;
                    update.setLong(1, rowModSeq.asLong());
                    int next = StoredFlags.bind(update, 2, newFlags);
                    update.setLong(next++, mailboxId);
                    update.setLong(next, uid.asLong());
                    update.addBatch();
                    pending++;
                    for (String keyword : newFlags.getUserFlags()) {
                        newKeywords.add(keyword);
                    }
                    boolean wasSeen = oldFlags.contains(Flags.Flag.SEEN);
                    boolean isSeen = newFlags.contains(Flags.Flag.SEEN);
                    unseenDelta += wasSeen == isSeen ? 0 : (isSeen ? -1 : 1);
                }
                result.add(UpdatedFlags.builder()
                    .uid(uid)
                    .messageId(row.getComposedMessageId().getMessageId())
                    .modSeq(rowModSeq)
                    .oldFlags(oldFlags)
                    .newFlags(newFlags)
                    .build());
            }
            if (pending > 0) {
                update.executeBatch();
            }
        }
        mailboxRow.write(c, modSeq, unseenDelta, changedWithoutModSeq);
        MessageRows.rememberKeywords(c, mailboxId, newKeywords, knownKeywords);
        return result;
    }

    /** Hands the rows a committed flag update gave its new MODSEQ (those changed besides \Recent) to the snapshots. */
    private void updateSnapshot(long mailboxId, List<UpdatedFlags> updated) {
        List<MetadataSnapshot.Row> rows = new ArrayList<>();
        long modSeq = 0;
        for (UpdatedFlags row : updated) {
            if (changedBesidesRecent(row.getOldFlags(), row.getNewFlags())) {
                modSeq = row.getModSeq().asLong();
                rows.add(new MetadataSnapshot.Row(row.getUid().asLong(), modSeq, 0, 0,
                    StoredFlags.systemFlagBits(row.getNewFlags()), StoredFlags.encodeKeywords(row.getNewFlags())));
            }
        }
        if (!rows.isEmpty()) {
            snapshots.flagsChanged(mailboxId, modSeq, rows);
        }
    }

    private static boolean changedBesidesRecent(Flags oldFlags, Flags newFlags) {
        Flags before = new Flags(oldFlags);
        Flags after = new Flags(newFlags);
        before.remove(Flags.Flag.RECENT);
        after.remove(Flags.Flag.RECENT);
        return UpdatedFlags.flagsChanged(before, after);
    }

    @Override
    public MessageMetaData copy(Mailbox mailbox, MailboxMessage original) throws MailboxException {
        return copyInto(mailbox, original, false);
    }

    @Override
    public MessageMetaData move(Mailbox mailbox, MailboxMessage original) throws MailboxException {
        return copyInto(mailbox, original, true);
    }

    private MessageMetaData copyInto(Mailbox mailbox, MailboxMessage original, boolean removeOriginal) throws MailboxException {
        long mailboxId = id(mailbox);
        Date saveDate = Date.from(clock.instant());
        Flags flags = original.createFlags();
        flags.add(Flags.Flag.RECENT);
        try {
            MessageMetaData copied = db.transaction(c -> {
                MessageRows.insertContentIfAbsent(c, original);
                if (removeOriginal) {
                    try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM mr_mailbox_message WHERE mailbox_id = ? AND uid = ?")) {
                        ps.setLong(1, StoredMailboxId.of(original.getMailboxId()).value());
                        ps.setLong(2, original.getUid().asLong());
                        if (ps.executeUpdate() > 0) {
                            MessageRows.adjustCounters(c, StoredMailboxId.of(original.getMailboxId()).value(), -1,
                                original.isSeen() ? 0 : -1, -original.getFullContentOctets(), true);
                        }
                    }
                }
                MessageRows.NewMembership allocation =
                    MessageRows.allocateForNewMembership(c, lastAllocations, mailboxId, flags, original.getFullContentOctets());
                MessageRows.insertNewMembership(c, mailboxId, allocation, original, flags, saveDate, knownKeywords);
                return new MessageMetaData(allocation.uid(), allocation.modSeq(), flags, original.getFullContentOctets(),
                    original.getInternalDate(), Optional.of(saveDate), original.getMessageId(), original.getThreadId());
            });
            snapshots.appended(mailboxId, List.of(snapshotRow(copied.getUid(), copied.getModSeq(), original, flags)));
            return copied;
        } catch (MessageRows.MissingMailbox e) {
            throw e.toMailboxException(mailboxId);
        }
    }

    @Override
    public Optional<MessageUid> getLastUid(Mailbox mailbox) {
        long last = mailboxCounter(mailbox, "last_uid");
        return last == 0 ? Optional.empty() : Optional.of(MessageUid.of(last));
    }

    @Override
    public ModSeq getHighestModSeq(Mailbox mailbox) {
        return ModSeq.of(mailboxCounter(mailbox, "highest_modseq"));
    }

    @Override
    public Flags getApplicableFlag(Mailbox mailbox) {
        return ApplicableFlagBuilder.builder()
            .add(new Flags[] {db.read(c -> MessageRows.knownKeywords(c, id(mailbox)))})
            .build();
    }

    private long mailboxCounter(Mailbox mailbox, String column) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM mr_mailbox WHERE id = ?")) {
                ps.setLong(1, id(mailbox));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    private List<MessageUid> uids(Mailbox mailbox, String sql) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, id(mailbox));
                return readUids(ps);
            }
        });
    }

    private static List<MessageUid> readUids(PreparedStatement ps) throws SQLException {
        List<MessageUid> uids = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long uid = rs.getLong(1);
                if (!rs.wasNull()) {
                    uids.add(MessageUid.of(uid));
                }
            }
        }
        return uids;
    }

    private static long id(Mailbox mailbox) {
        return StoredMailboxId.of(mailbox.getMailboxId()).value();
    }

    private static <T> Flux<T> blockingMany(java.util.concurrent.Callable<List<T>> work) {
        return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic()).flatMapIterable(list -> list);
    }
}
