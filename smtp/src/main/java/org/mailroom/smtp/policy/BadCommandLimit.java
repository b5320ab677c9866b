package org.mailroom.smtp.policy;

import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.UnknownHook;

/**
 * Disconnects a client after too many unknown commands in one connection (421 4.7.0): a scanner or a confused
 * client, not a mailer. Unlike James's {@code MaxUnknownCmdHandler}, the count survives RSET and EHLO.
 */
public final class BadCommandLimit implements UnknownHook {

    private static final AttachmentKey<Integer> COUNT = AttachmentKey.of("mailroom.badCommands", Integer.class);

    private final int maxBadCommands;

    public BadCommandLimit(int maxBadCommands) {
        if (maxBadCommands < 1) {
            throw new IllegalArgumentException("maximum bad commands must be at least 1: " + maxBadCommands);
        }
        this.maxBadCommands = maxBadCommands;
    }

    @Override
    public HookResult doUnknown(SMTPSession session, String command) {
        int count = session.getAttachment(COUNT, State.Connection).orElse(0) + 1;
        session.setAttachment(COUNT, count, State.Connection);
        if (count < maxBadCommands) {
            return HookResult.DECLINED;
        }
        return HookResult.builder()
            .hookReturnCode(HookReturnCode.disconnected(HookReturnCode.Action.DENY))
            .smtpReturnCode("421")
            .smtpDescription("4.7.0 Too many unknown commands; closing connection")
            .build();
    }
}
