package org.mailroom.storage.mailbox;

import java.io.IOException;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
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
 * A message result for {@code FetchGroup.MINIMAL} built from a membership row alone: UID, MODSEQ, flags, size,
 * dates and ids, which is all a FETCH of flags and sizes reads. Whoever asks for more (content, headers, MIME
 * structure) gets it from the full message, loaded on that first request, so the result behaves like James's own.
 */
final class MetadataMessageResult implements MessageResult {
    /** Loads the whole stored message, for the rare caller of a minimal result that then reads content. */
    @FunctionalInterface
    interface FullLoader {
        MessageResult load(MessageUid uid) throws MailboxException;
    }

    private final MessageMetaData metaData;
    private final MailboxId mailboxId;
    private final FullLoader loader;
    private MessageResult full;

    MetadataMessageResult(MessageMetaData metaData, MailboxId mailboxId, FullLoader loader) {
        this.metaData = metaData;
        this.mailboxId = mailboxId;
        this.loader = loader;
    }

    private MessageResult full() throws MailboxException {
        if (full == null) {
            full = loader.load(metaData.getUid());
        }
        return full;
    }

    @Override
    public MessageId getMessageId() {
        return metaData.getMessageId();
    }

    @Override
    public ThreadId getThreadId() {
        return metaData.getThreadId();
    }

    @Override
    public Optional<Date> getSaveDate() {
        return metaData.getSaveDate();
    }

    @Override
    public Date getInternalDate() {
        return metaData.getInternalDate();
    }

    /** This result's own flags, as James's result gives (IMAP adds \Recent to them in place). */
    @Override
    public Flags getFlags() {
        return metaData.getFlags();
    }

    @Override
    public long getSize() {
        return metaData.getSize();
    }

    @Override
    public MessageMetaData messageMetaData() {
        return metaData;
    }

    @Override
    public MessageUid getUid() {
        return metaData.getUid();
    }

    @Override
    public ModSeq getModSeq() {
        return metaData.getModSeq();
    }

    @Override
    public MailboxId getMailboxId() {
        return mailboxId;
    }

    @Override
    public MimeDescriptor getMimeDescriptor() throws MailboxException {
        return full().getMimeDescriptor();
    }

    @Override
    public Iterator<Header> iterateHeaders(MimePath path) throws MailboxException {
        return full().iterateHeaders(path);
    }

    @Override
    public Iterator<Header> iterateMimeHeaders(MimePath path) throws MailboxException {
        return full().iterateMimeHeaders(path);
    }

    @Override
    public Content getFullContent() throws MailboxException, IOException {
        return full().getFullContent();
    }

    @Override
    public Content getFullContent(MimePath path) throws MailboxException {
        return full().getFullContent(path);
    }

    @Override
    public Content getBody() throws MailboxException, IOException {
        return full().getBody();
    }

    @Override
    public Content getBody(MimePath path) throws MailboxException {
        return full().getBody(path);
    }

    @Override
    public Content getMimeBody(MimePath path) throws MailboxException {
        return full().getMimeBody(path);
    }

    @Override
    public Headers getHeaders() throws MailboxException {
        return full().getHeaders();
    }

    @Override
    public List<MessageAttachmentMetadata> getLoadedAttachments() throws MailboxException {
        return full().getLoadedAttachments();
    }

    @Override
    public int compareTo(MessageResult that) {
        return getUid().compareTo(that.getUid());
    }
}
