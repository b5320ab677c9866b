package org.mailroom.smtp.submission;

import java.util.Locale;
import java.util.Objects;

import org.apache.james.core.Username;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.AuthHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.mailroom.smtp.SmtpReplies;
import org.mailroom.smtp.policy.AuthFailureThrottle;
import org.mailroom.storage.user.UserRepository;

/**
 * Verifies AUTH PLAIN / LOGIN credentials against the user store and, on success, sets the session's user (James
 * leaves that to the hook), consulting the {@link AuthFailureThrottle} first (454 4.7.0 and disconnect when it
 * says no). Runs after {@link org.mailroom.smtp.policy.AuthOnlyOverTls}.
 */
public final class PasswordCheck implements AuthHook {

    private static final HookResult FAILED = SmtpReplies.deny("535", "5.7.8 Authentication credentials invalid");

    private static final HookResult THROTTLED = HookResult.builder()
        .hookReturnCode(HookReturnCode.disconnected(HookReturnCode.Action.DENYSOFT))
        .smtpReturnCode("454")
        .smtpDescription("4.7.0 Too many failed authentication attempts; try again later")
        .build();

    private final UserRepository users;
    private final AuthFailureThrottle throttle;

    public PasswordCheck(UserRepository users, AuthFailureThrottle throttle) {
        this.users = Objects.requireNonNull(users, "users");
        this.throttle = Objects.requireNonNull(throttle, "throttle");
    }

    @Override
    public HookResult doAuth(SMTPSession session, Username username, String password) {
        String user = username.asString().toLowerCase(Locale.ROOT);
        String ip = session.getRemoteAddress().getAddress().getHostAddress();
        if (!throttle.allows(ip, user)) {
            return THROTTLED;
        }
        if (!users.verify(user, password)) {
            throttle.failed(ip, user);
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
