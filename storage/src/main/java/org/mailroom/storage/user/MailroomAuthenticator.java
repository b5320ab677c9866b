package org.mailroom.storage.user;

import org.apache.james.core.Username;
import org.apache.james.mailbox.Authenticator;
import org.apache.james.mailbox.Authorizator;
import org.apache.james.mailbox.exception.MailboxException;
import org.mailroom.storage.schema.StorageException;

/**
 * Lets the James protocol stacks (IMAP login, SMTP AUTH) check passwords and impersonation against Mailroom's
 * users; nobody may log in as another user.
 */
public final class MailroomAuthenticator implements Authenticator, Authorizator {
    private final UserRepository users;

    public MailroomAuthenticator(UserRepository users) {
        this.users = users;
    }

    @Override
    public boolean isAuthentic(Username username, CharSequence password) throws MailboxException {
        try {
            return users.verify(username.asString(), password);
        } catch (StorageException e) {
            // The James API reports store failures as MailboxException, which its callers are written to handle.
            throw new MailboxException("the user store is unavailable", e);
        }
    }

    @Override
    public AuthorizationState canLoginAsOtherUser(Username userId, Username otherUserId) throws MailboxException {
        try {
            if (!users.exists(otherUserId.asString())) {
                return AuthorizationState.UNKNOWN_USER;
            }
        } catch (StorageException e) {
            throw new MailboxException("the user store is unavailable", e);
        }
        String self = AddressSyntax.addressOrNull(userId.asString());
        String other = AddressSyntax.addressOrNull(otherUserId.asString());
        return self != null && self.equals(other) ? AuthorizationState.ALLOWED : AuthorizationState.FORBIDDEN;
    }
}
