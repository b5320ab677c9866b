package org.mailroom.smtp;

import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;

/** Builds the hook results Mailroom answers with, so every refusal carries a reply code and an enhanced status code. */
public final class SmtpReplies {

    private SmtpReplies() {
    }

    /** A permanent refusal: {@code code} is the three-digit reply, {@code text} starts with the enhanced status code. */
    public static HookResult deny(String code, String text) {
        return HookResult.builder().hookReturnCode(HookReturnCode.deny()).smtpReturnCode(code).smtpDescription(text).build();
    }

    /** A temporary refusal (4xx): the client should try again later. */
    public static HookResult denySoft(String code, String text) {
        return HookResult.builder().hookReturnCode(HookReturnCode.denySoft()).smtpReturnCode(code).smtpDescription(text)
            .build();
    }

    /** Acceptance with a reply of our own. */
    public static HookResult ok(String code, String text) {
        return HookResult.builder().hookReturnCode(HookReturnCode.ok()).smtpReturnCode(code).smtpDescription(text).build();
    }
}
