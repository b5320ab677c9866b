package org.mailroom.imap;

import java.util.List;
import java.util.Objects;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxExistsException;
import org.apache.james.mailbox.model.MailboxPath;

import reactor.core.publisher.Mono;

/**
 * Creates (and subscribes) a user's default folders: INBOX, Priority, Spam, Sent, Drafts, Trash, Archive.
 * Idempotent and safe against a concurrent login doing the same; called on every IMAP login, and usable from
 * user creation.
 */
public final class DefaultFolders {

    private final FolderNames names;
    private final List<String> created;

    public DefaultFolders(FolderNames names) {
        this(names, List.copyOf(names.all().keySet()));
    }

    private DefaultFolders(FolderNames names, List<String> created) {
        this.names = Objects.requireNonNull(names, "names");
        this.created = created;
    }

    /** Creates INBOX only: for protocol test suites whose scripts expect a fresh account to hold nothing else. */
    public static DefaultFolders inboxOnly(FolderNames names) {
        return new DefaultFolders(names, List.of(FolderNames.INBOX));
    }

    public FolderNames names() {
        return names;
    }

    /** Ensures the folders of {@code user} exist, in a system session of its own. */
    public void ensure(MailboxManager mailboxManager, Username user) throws MailboxException {
        MailboxSession session = mailboxManager.createSystemSession(user);
        try {
            ensure(mailboxManager, session);
        } finally {
            mailboxManager.endProcessingRequest(session);
        }
    }

    /** Ensures the folders of the session's user exist. */
    public void ensure(MailboxManager mailboxManager, MailboxSession session) throws MailboxException {
        for (String name : created) {
            MailboxPath path = MailboxPath.forUser(session.getUser(), name);
            if (Boolean.TRUE.equals(Mono.from(mailboxManager.mailboxExists(path, session)).block())) {
                continue;
            }
            try {
                mailboxManager.createMailbox(path, MailboxManager.CreateOption.CREATE_SUBSCRIPTION, session);
            } catch (MailboxExistsException concurrentlyCreated) {
                // another session of the same user won the race: the folder is there, which is all we want
            }
        }
    }
}
