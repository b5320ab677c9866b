package org.mailroom.storage.mailbox;

import javax.mail.Flags;

/**
 * Receives the metadata of a mailbox's messages one membership row at a time, in UID order, with no object built
 * per message: what a FETCH of UID, FLAGS, RFC822.SIZE, INTERNALDATE and MODSEQ reads (IMAP encodes each row as it
 * comes instead of building a message result, a response object and a reactive step per message).
 */
@FunctionalInterface
public interface MetadataRowVisitor {
    /** Bits of {@code systemFlags}, one per stored system flag. */
    int ANSWERED = 1;
    int DELETED = 1 << 1;
    int DRAFT = 1 << 2;
    int FLAGGED = 1 << 3;
    int RECENT = 1 << 4;
    int SEEN = 1 << 5;

    /**
     * One message. {@code keywords} is null when the message has none, otherwise its keywords separated by single
     * spaces (as {@link StoredFlags} stores them: sorted, each an IMAP atom).
     */
    void row(long uid, long modSeq, long size, long internalDateMillis, int systemFlags, String keywords);

    /**
     * The flags a row's {@code systemFlags} bits and {@code keywords} stand for, built as the store's own reads
     * build them (system flags, then the keywords in stored order).
     */
    static Flags flags(int systemFlags, String keywords) {
        Flags flags = new Flags();
        if ((systemFlags & ANSWERED) != 0) {
            flags.add(Flags.Flag.ANSWERED);
        }
        if ((systemFlags & DELETED) != 0) {
            flags.add(Flags.Flag.DELETED);
        }
        if ((systemFlags & DRAFT) != 0) {
            flags.add(Flags.Flag.DRAFT);
        }
        if ((systemFlags & FLAGGED) != 0) {
            flags.add(Flags.Flag.FLAGGED);
        }
        if ((systemFlags & RECENT) != 0) {
            flags.add(Flags.Flag.RECENT);
        }
        if ((systemFlags & SEEN) != 0) {
            flags.add(Flags.Flag.SEEN);
        }
        StoredFlags.addKeywords(flags, keywords);
        return flags;
    }
}
