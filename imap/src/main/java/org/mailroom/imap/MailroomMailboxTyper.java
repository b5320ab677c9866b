package org.mailroom.imap;

import java.util.Map;

import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.MailboxType;
import org.apache.james.imap.api.process.MailboxTyper;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.model.MailboxConstants;
import org.apache.james.mailbox.model.MailboxPath;

/**
 * RFC 6154 special-use attributes from Mailroom's folder names. James's {@code DefaultMailboxTyper} maps James's
 * own default names ({@code Role}), which fixes "Spam" and cannot follow a configured name; this typer maps the
 * user's own top-level folders named in {@link FolderNames}, and nothing else (not other users' shared folders).
 */
final class MailroomMailboxTyper implements MailboxTyper {

    private final Map<String, MailboxType> types;

    MailroomMailboxTyper(FolderNames names) {
        this.types = Map.copyOf(names.all());
    }

    @Override
    public MailboxType getMailboxType(ImapSession session, MailboxPath path) {
        if (!MailboxConstants.USER_NAMESPACE.equals(path.getNamespace())) {
            return MailboxType.OTHER;
        }
        MailboxSession mailboxSession = session.getMailboxSession();
        if (mailboxSession != null && !path.belongsTo(mailboxSession)) {
            return MailboxType.OTHER;
        }
        if (path.getName().equalsIgnoreCase(MailboxConstants.INBOX)) {
            return MailboxType.INBOX;
        }
        return types.getOrDefault(path.getName(), MailboxType.OTHER);
    }
}
