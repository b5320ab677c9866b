package org.mailroom.smtp.submission;

import java.util.Objects;

import org.apache.james.core.Username;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.AuthHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.mailroom.smtp.MailroomSmtpServer;
import org.mailroom.smtp.SmtpObserver;

/**
 * An AUTH hook that tells the {@link SmtpObserver} of every refusal of the hook it wraps. A wrapper, because James's
 * AUTH command does not call result hooks (its {@code getMarkerInterfaces} names {@link AuthHook} only).
 */
public final class ObservedAuth implements AuthHook {
    private final AuthHook check;
    private final MailroomSmtpServer.Mode listener;
    private final SmtpObserver observer;

    public ObservedAuth(AuthHook check, MailroomSmtpServer.Mode listener, SmtpObserver observer) {
        this.check = Objects.requireNonNull(check, "check");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    @Override
    public HookResult doAuth(SMTPSession session, Username username, String password) {
        return observed(check.doAuth(session, username, password));
    }

    @Override
    public HookResult doSasl(SMTPSession session, OidcSASLConfiguration configuration, String initialResponse) {
        return observed(check.doSasl(session, configuration, initialResponse));
    }

    private HookResult observed(HookResult result) {
        HookReturnCode.Action action = result == null ? null : result.getResult().getAction();
        if (action == HookReturnCode.Action.DENY || action == HookReturnCode.Action.DENYSOFT) {
            observer.authFailed(listener);
        }
        return result;
    }
}
