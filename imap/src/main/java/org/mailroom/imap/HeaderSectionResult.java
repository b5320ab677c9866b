package org.mailroom.imap;

import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.model.Content;
import org.apache.james.mailbox.model.Header;
import org.apache.james.mailbox.model.Headers;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageAttachmentMetadata;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageResult;
import org.apache.james.mailbox.model.MimeDescriptor;
import org.apache.james.mailbox.model.MimePath;
import org.apache.james.mailbox.model.ThreadId;

/**
 * One message as James's {@code FetchResponseBuilder} reads it for the header sections of the whole message
 * ({@code BODY[HEADER]}, {@code BODY[HEADER.FIELDS (...)]}, {@code BODY[HEADER.FIELDS.NOT (...)]},
 * {@code RFC822.HEADER}): its UID, size, MODSEQ, (unused) flags and its header, here from a {@link ParsedMessage} rather than a
 * message read and parsed again. The builder's own code picks the fields, so the sections are James's. Anything else
 * the builder could ask for is not here: {@link ParsedItemsFetch} sends it nothing else.
 */
final class HeaderSectionResult implements MessageResult {
    private final MessageUid uid;
    private final long size;
    private final long modSeq;
    private final Headers headers;

    HeaderSectionResult(long uid, long size, long modSeq, ParsedMessage message) {
        this.uid = MessageUid.of(uid);
        this.size = size;
        this.modSeq = modSeq;
        this.headers = message.asHeaders();
    }

    @Override
    public MessageUid getUid() {
        return uid;
    }

    @Override
    public long getSize() {
        return size;
    }

    @Override
    public Flags getFlags() {
        // read by the builder for the \Seen side effect, which a header section answered here never has
        return new Flags();
    }

    @Override
    public Headers getHeaders() {
        return headers;
    }

    @Override
    public Iterator<Header> iterateHeaders(MimePath path) {
        throw notKept();
    }

    @Override
    public Iterator<Header> iterateMimeHeaders(MimePath path) {
        throw notKept();
    }

    @Override
    public Content getFullContent() {
        throw notKept();
    }

    @Override
    public Content getFullContent(MimePath path) {
        throw notKept();
    }

    @Override
    public Content getBody() {
        throw notKept();
    }

    @Override
    public Content getBody(MimePath path) {
        throw notKept();
    }

    @Override
    public Content getMimeBody(MimePath path) {
        throw notKept();
    }

    @Override
    public MimeDescriptor getMimeDescriptor() {
        throw notKept();
    }

    @Override
    public List<MessageAttachmentMetadata> getLoadedAttachments() {
        throw notKept();
    }

    @Override
    public MessageId getMessageId() {
        // read by the builder whatever is asked for, written only for EMAILID, THREADID or SAVEDATE
        return null;
    }

    @Override
    public ThreadId getThreadId() {
        // read by the builder whatever is asked for, written only for EMAILID, THREADID or SAVEDATE
        return null;
    }

    @Override
    public Optional<Date> getSaveDate() {
        // read by the builder whatever is asked for, written only for EMAILID, THREADID or SAVEDATE
        return Optional.empty();
    }

    @Override
    public Date getInternalDate() {
        throw notKept();
    }

    @Override
    public MessageMetaData messageMetaData() {
        throw notKept();
    }

    @Override
    public ModSeq getModSeq() {
        // read by the builder whatever is asked for, written only for MODSEQ (a row item, written by Mailroom)
        return ModSeq.of(modSeq);
    }

    @Override
    public MailboxId getMailboxId() {
        throw notKept();
    }

    @Override
    public int compareTo(MessageResult other) {
        return uid.compareTo(other.getUid());
    }

    private static UnsupportedOperationException notKept() {
        return new UnsupportedOperationException("only the header of the message is kept");
    }
}
