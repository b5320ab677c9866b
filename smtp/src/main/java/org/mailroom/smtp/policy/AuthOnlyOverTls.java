package org.mailroom.smtp.policy;

import org.apache.james.core.Username;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.AuthHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.mailroom.smtp.SmtpReplies;

/**
 * Refuses AUTH on a connection that is not encrypted yet (RFC 4954 538 5.7.11), before any password is looked at.
 *
 * <p>James announces AUTH only when the configuration says so, but it accepts the AUTH command regardless: this hook
 * is what actually keeps passwords off plaintext connections. It must come first among the AUTH hooks.
 */
public final class AuthOnlyOverTls implements AuthHook {

    static final HookResult ENCRYPTION_REQUIRED =
        SmtpReplies.deny("538", "5.7.11 Encryption required for requested authentication mechanism");

    @Override
    public HookResult doAuth(SMTPSession session, Username username, String password) {
        return session.isTLSStarted() ? HookResult.DECLINED : ENCRYPTION_REQUIRED;
    }

    @Override
    public HookResult doSasl(SMTPSession session, OidcSASLConfiguration configuration, String initialResponse) {
        return session.isTLSStarted() ? HookResult.DECLINED : ENCRYPTION_REQUIRED;
    }
}
