package org.mailroom.storage.mailbox;

/**
 * A message as {@link MetadataRowSource#visitSmallMessageWithoutWaiting} hands it over: only what no transaction
 * changes once the message is stored (no flags, no MODSEQ).
 */
@FunctionalInterface
public interface ImmutableMessageVisitor {
    /** The message of {@code uid}: its size, internal date, header bytes (to the blank line) and body bytes. */
    void message(long uid, long size, long internalDateMillis, byte[] header, byte[] body);
}
