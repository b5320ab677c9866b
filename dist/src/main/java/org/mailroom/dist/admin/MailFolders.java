package org.mailroom.dist.admin;

import java.util.Locale;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MailboxPath;
import org.mailroom.storage.user.UserAdminException;

/** Opening one folder of one user through the mailbox API, the way import and export need it. */
final class MailFolders {
    private MailFolders() {
    }

    static MailboxSession session(MailStore mail, String user) {
        if (!mail.users().exists(user)) {
            throw new UserAdminException("no such user: " + user);
        }
        return mail.mailboxes().mailboxManager().createSystemSession(Username.of(user.toLowerCase(Locale.ROOT)));
    }

    /** The folder, created first when {@code create} is set (import) and refused when missing otherwise. */
    static MessageManager folder(MailStore mail, MailboxSession session, String folder, boolean create) {
        MailboxManager manager = mail.mailboxes().mailboxManager();
        MailboxPath path = MailboxPath.forUser(session.getUser(), folder.equalsIgnoreCase("INBOX") ? "INBOX" : folder);
        try {
            if (!Boolean.TRUE.equals(reactor.core.publisher.Mono.from(manager.mailboxExists(path, session)).block())) {
                if (!create) {
                    throw new UserAdminException(session.getUser().asString() + " has no folder " + folder);
                }
                manager.createMailbox(path, session);
            }
            return manager.getMailbox(path, session);
        } catch (MailboxException e) {
            throw new UserAdminException("cannot open folder " + folder + " of " + session.getUser().asString() + ": "
                + e.getMessage());
        }
    }
}
