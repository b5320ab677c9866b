package org.mailroom.smtp.submission;

import java.util.Locale;
import java.util.Objects;

import org.apache.james.core.Username;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.AuthHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.mailroom.smtp.SmtpReplies;
import org.mailroom.storage.user.UserRepository;

/**
 * Verifies AUTH PLAIN / LOGIN credentials against the user store and, on success, sets the session's user (James
 * leaves that to the hook). Runs after {@link org.mailroom.smtp.policy.AuthOnlyOverTls}.
 */
public final class PasswordCheck implements AuthHook {

    private static final HookResult FAILED = SmtpReplies.deny("535", "5.7.8 Authentication credentials invalid");

    private final UserRepository users;

    public PasswordCheck(UserRepository users) {
        this.users = Objects.requireNonNull(users, "users");
    }

    @Override
    public HookResult doAuth(SMTPSession session, Username username, String password) {
        String user = username.asString().toLowerCase(Locale.ROOT);
        if (!users.verify(user, password)) {
            return FAILED;
        }
        session.setUsername(Username.of(user));
        return SmtpReplies.ok("235", "2.7.0 Authentication successful");
    }

    @Override
    public HookResult doSasl(SMTPSession session, OidcSASLConfiguration configuration, String initialResponse) {
        return FAILED;
    }
}
