package org.mailroom.imap;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import javax.mail.Flags;

import org.apache.james.imap.api.ImapConstants;
import org.apache.james.imap.api.message.Capability;
import org.apache.james.imap.api.message.FetchData;
import org.apache.james.imap.api.message.FetchData.Item;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.processor.EnableProcessor;
import org.mailroom.storage.mailbox.MetadataRowVisitor;

/**
 * A FETCH that asks only for items kept on a message's membership row (UID, FLAGS, RFC822.SIZE, INTERNALDATE,
 * MODSEQ), which Mailroom answers by encoding each row straight into response bytes, exactly as James's
 * {@code FetchResponseBuilder} and {@code FetchResponseEncoder} would write them (item order MODSEQ, FLAGS,
 * INTERNALDATE, RFC822.SIZE, UID; flags in James's order). Anything else, and whatever needs James's side effects
 * (CHANGEDSINCE, VANISHED, the first MODSEQ fetch that enables CONDSTORE, a body section that sets \Seen), is left
 * to James's {@code FetchProcessor}.
 */
final class MetadataFetch {
    private static final Set<Item> ROW_ITEMS = EnumSet.of(Item.UID, Item.FLAGS, Item.SIZE, Item.INTERNAL_DATE, Item.MODSEQ);
    private static final byte[] FETCH_OPEN = " FETCH (".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MODSEQ_OPEN = "MODSEQ (".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FLAGS_OPEN = "FLAGS (".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INTERNALDATE_OPEN = "INTERNALDATE \"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SIZE = "RFC822.SIZE ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UID = "UID ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] MONTHS = {
        bytes("Jan"), bytes("Feb"), bytes("Mar"), bytes("Apr"), bytes("May"), bytes("Jun"),
        bytes("Jul"), bytes("Aug"), bytes("Sep"), bytes("Oct"), bytes("Nov"), bytes("Dec")};
    private static final byte[] GMT = bytes(" +0000\"");
    /** James's order of the system flags in a FLAGS list, with the row bit of each. */
    private static final int[] SYSTEM_BITS = {MetadataRowVisitor.ANSWERED, MetadataRowVisitor.DELETED,
        MetadataRowVisitor.DRAFT, MetadataRowVisitor.FLAGGED, MetadataRowVisitor.RECENT, MetadataRowVisitor.SEEN};
    private static final byte[][] SYSTEM_NAMES = {bytes("\\Answered"), bytes("\\Deleted"), bytes("\\Draft"),
        bytes("\\Flagged"), bytes("\\Recent"), bytes("\\Seen")};

    private final boolean modSeq;
    private final boolean flags;
    private final boolean internalDate;
    private final boolean size;
    private final boolean uid;

    private MetadataFetch(FetchData fetch, boolean qresync) {
        this.modSeq = fetch.contains(Item.MODSEQ) || qresync;
        this.flags = fetch.contains(Item.FLAGS);
        this.internalDate = fetch.contains(Item.INTERNAL_DATE);
        this.size = fetch.contains(Item.SIZE);
        this.uid = fetch.contains(Item.UID) || qresync;
    }

    /** Whether the response carries FLAGS (so whether \Recent matters). */
    boolean flags() {
        return flags;
    }

    boolean modSeq() {
        return modSeq;
    }

    boolean internalDate() {
        return internalDate;
    }

    boolean size() {
        return size;
    }

    boolean uid() {
        return uid;
    }

    /** The fetch, if Mailroom can answer it from membership rows alone with James's exact responses. */
    static Optional<MetadataFetch> of(FetchData fetch, ImapSession session) {
        if (!fetch.getBodyElements().isEmpty()) {
            return Optional.empty();
        }
        return rowItems(fetch, session, true);
    }

    /**
     * The membership-row items of a fetch whose other items the caller answers itself (body sections), if there is
     * nothing else in it and no side effect James must handle; {@code itemRequired}: at least one row item asked for.
     */
    static Optional<MetadataFetch> rowItems(FetchData fetch, ImapSession session, boolean itemRequired) {
        if (session.getSelected() == null || fetch.isSetSeen() || fetch.getChangedSince() != -1 || fetch.getVanished()) {
            return Optional.empty();
        }
        boolean any = false;
        for (Item item : Item.values()) {
            if (fetch.contains(item)) {
                if (!ROW_ITEMS.contains(item)) {
                    return Optional.empty();
                }
                any = true;
            }
        }
        Set<Capability> enabled = EnableProcessor.getEnabledCapabilities(session);
        // with QRESYNC enabled James answers every FETCH with UID (RFC 7162 3.2.4) and MODSEQ (its computeFetchData
        // copies the request through FetchData.Builder.from, whose changedSince(-1) adds MODSEQ): the same here
        boolean qresync = enabled.contains(ImapConstants.SUPPORTS_QRESYNC);
        boolean modSeq = fetch.contains(Item.MODSEQ) || qresync;
        if (!any && itemRequired || modSeq && !enabled.contains(ImapConstants.SUPPORTS_CONDSTORE)) {
            // the first MODSEQ fetch enables CONDSTORE and reports HIGHESTMODSEQ: James does that
            return Optional.empty();
        }
        return Optional.of(new MetadataFetch(fetch, qresync));
    }

    /**
     * Appends the response line of one message. {@code sessionRecent}: the message is recent to this session (James
     * adds \Recent to the stored flags then).
     */
    void encode(FetchLines.Builder out, int msn, long messageUid, long messageModSeq, long messageSize,
                long internalDateMillis, int systemFlags, String keywords, boolean sessionRecent) {
        writeItems(out, msn, messageUid, messageModSeq, messageSize, internalDateMillis, systemFlags, keywords,
            sessionRecent);
        out.write((byte) ')');
    }

    /**
     * Starts the response line of one message and writes its row items, without the closing parenthesis (a body
     * section may follow: James writes those after the UID); returns whether any item was written.
     */
    boolean writeItems(FetchLines.Builder out, int msn, long messageUid, long messageModSeq, long messageSize,
                       long internalDateMillis, int systemFlags, String keywords, boolean sessionRecent) {
        boolean any = writeItemsBeforeUid(out, msn, messageModSeq, messageSize, internalDateMillis, systemFlags,
            keywords, sessionRecent);
        return writeUid(out, messageUid, any) || any;
    }

    /**
     * Starts the response line of one message and writes its row items that James writes before ENVELOPE, BODY and
     * BODYSTRUCTURE (MODSEQ, FLAGS, INTERNALDATE, RFC822.SIZE); returns whether any item was written.
     */
    boolean writeItemsBeforeUid(FetchLines.Builder out, int msn, long messageModSeq, long messageSize,
                                long internalDateMillis, int systemFlags, String keywords, boolean sessionRecent) {
        out.startLine().writeNumber(msn).write(FETCH_OPEN);
        boolean first = true;
        if (modSeq) {
            out.write(MODSEQ_OPEN).writeNumber(messageModSeq).write((byte) ')');
            first = false;
        }
        if (flags) {
            separate(out, first);
            writeFlags(out, sessionRecent ? systemFlags | MetadataRowVisitor.RECENT : systemFlags, keywords);
            first = false;
        }
        if (internalDate) {
            separate(out, first);
            writeDate(out.write(INTERNALDATE_OPEN), internalDateMillis);
            first = false;
        }
        if (size) {
            separate(out, first);
            out.write(SIZE).writeNumber(messageSize);
            first = false;
        }
        return !first;
    }

    /** Writes the UID item if asked for, after {@code itemBefore} other items; returns whether it was written. */
    boolean writeUid(FetchLines.Builder out, long messageUid, boolean itemBefore) {
        if (uid) {
            separate(out, !itemBefore);
            out.write(UID).writeNumber(messageUid);
        }
        return uid;
    }

    private static void separate(FetchLines.Builder out, boolean first) {
        if (!first) {
            out.write((byte) ' ');
        }
    }

    private static void writeFlags(FetchLines.Builder out, int systemFlags, String keywords) {
        out.write(FLAGS_OPEN);
        boolean first = true;
        for (int i = 0; i < SYSTEM_BITS.length; i++) {
            if ((systemFlags & SYSTEM_BITS[i]) != 0) {
                separate(out, first);
                out.write(SYSTEM_NAMES[i]);
                first = false;
            }
        }
        if (keywords != null && !keywords.isEmpty()) {
            for (String keyword : keywordsInJamesOrder(keywords)) {
                separate(out, first);
                out.writeAscii(keyword);
                first = false;
            }
        }
        out.write((byte) ')');
    }

    /**
     * The keywords in the order James writes them: {@code Flags.getUserFlags()} of flags built from the stored
     * keywords in stored order, as the store's own read does (a hash table's order, so it is recomputed, not guessed).
     */
    private static String[] keywordsInJamesOrder(String keywords) {
        if (keywords.indexOf(' ') < 0) {
            return new String[] {keywords};
        }
        Flags userFlags = new Flags();
        for (String keyword : keywords.split(" ")) {
            userFlags.add(keyword);
        }
        return userFlags.getUserFlags();
    }

    /** James's {@code EncoderUtils.encodeDateTime}: "dd-MMM-yyyy HH:mm:ss +0000" in GMT. */
    private static void writeDate(FetchLines.Builder out, long millis) {
        LocalDateTime time = LocalDateTime.ofEpochSecond(Math.floorDiv(millis, 1000L), 0, ZoneOffset.UTC);
        out.writePadded(time.getDayOfMonth(), 2).write((byte) '-').write(MONTHS[time.getMonthValue() - 1])
            .write((byte) '-');
        if (time.getYear() > 9999) {
            out.writeNumber(time.getYear());
        } else {
            out.writePadded(time.getYear(), 4);
        }
        out.write((byte) ' ')
            .writePadded(time.getHour(), 2).write((byte) ':').writePadded(time.getMinute(), 2).write((byte) ':')
            .writePadded(time.getSecond(), 2).write(GMT);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
