package org.mailroom.smtp.delivery;

import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Objects;

import javax.mail.Flags;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxExistsException;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.model.Content;
import org.apache.james.mailbox.model.MailboxPath;

/**
 * Appends a delivered message to one user's folder through the mailbox API (creating the folder when missing),
 * and can take the copy back: the one place SMTP-side code writes into mailboxes.
 */
public final class MailboxAppender {

    /** A committed copy; {@link #end} it when the delivery is over, {@link #undo} it to remove it again. */
    public record Appended(MessageManager mailbox, MailboxSession session, MessageUid uid) {
    }

    private final MailboxManager mailboxManager;
    private final Clock clock;

    public MailboxAppender(MailboxManager mailboxManager, Clock clock) {
        this.mailboxManager = Objects.requireNonNull(mailboxManager, "mailboxManager");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Appended append(String user, String folder, Content content) throws MailboxException {
        return append(user, folder, new Flags(), content);
    }

    /** Appends with {@code keywords} set (the sorter's {@code $Junk}, {@code $Important}...). */
    public Appended append(String user, String folder, Flags keywords, Content content) throws MailboxException {
        MailboxSession session = mailboxManager.createSystemSession(Username.of(user));
        MailboxPath path = MailboxPath.forUser(Username.of(user), folder);
        MessageManager mailbox;
        try {
            // The folder almost always exists: one lookup, not an existence check and then the lookup.
            mailbox = mailboxManager.getMailbox(path, session);
        } catch (MailboxNotFoundException missing) {
            try {
                mailboxManager.createMailbox(path, session);
            } catch (MailboxExistsException raced) {
                // Another delivery created it first: fine.
            }
            mailbox = mailboxManager.getMailbox(path, session);
        }
        MessageManager.AppendResult result = mailbox.appendMessage(MessageManager.AppendCommand.builder()
            .recent()
            .delivery()
            .withFlags(keywords)
            .withInternalDate(Date.from(clock.instant()))
            .build(content), session);
        return new Appended(mailbox, session, result.getId().getUid());
    }

    public void undo(Appended copy) throws MailboxException {
        copy.mailbox().delete(List.of(copy.uid()), copy.session());
    }

    public void end(Appended copy) {
        mailboxManager.endProcessingRequest(copy.session());
    }
}
