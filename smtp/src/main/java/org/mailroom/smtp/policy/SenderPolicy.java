package org.mailroom.smtp.policy;

import java.util.Locale;
import java.util.Objects;

import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.mailroom.smtp.SmtpReplies;
import org.mailroom.storage.user.AliasRepository;

/**
 * On submission, decides whether the envelope sender may be used: the client must have authenticated (530 5.7.0)
 * and may send only from its own address or an explicit alias of it (553 5.7.1), or a subaddress of either
 * ({@code alice+lists@...}, which delivery gives to the same user; Postfix's sender login maps strip the extension
 * too). A domain catch-all does not make every address of the domain the user's own, and the null sender is
 * refused: users do not send bounces.
 */
public final class SenderPolicy implements MailHook {

    private static final HookResult AUTH_REQUIRED = SmtpReplies.deny("530", "5.7.0 Authentication required");
    private static final HookResult NULL_SENDER = SmtpReplies.deny("553",
        "5.7.1 The null sender <> is for delivery reports; submit mail from your own address");

    private final AliasRepository aliases;

    public SenderPolicy(AliasRepository aliases) {
        this.aliases = Objects.requireNonNull(aliases, "aliases");
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        if (session.getUsername() == null) {
            return AUTH_REQUIRED;
        }
        String user = session.getUsername().asString().toLowerCase(Locale.ROOT);
        if (sender.isNullSender()) {
            return NULL_SENDER;
        }
        String address = sender.get().asString().toLowerCase(Locale.ROOT);
        String base = AliasRepository.withoutSubaddress(address);
        if (owns(user, address) || (base != null && owns(user, base))) {
            return HookResult.DECLINED;
        }
        return notOwned(address, user);
    }

    private boolean owns(String user, String address) {
        return address.equals(user) || isAliasOf(address, user);
    }

    private boolean isAliasOf(String address, String user) {
        return aliases.list().stream()
            .anyMatch(alias -> alias.address().equalsIgnoreCase(address) && alias.target().equalsIgnoreCase(user));
    }

    private static HookResult notOwned(String address, String user) {
        return SmtpReplies.deny("553", "5.7.1 Sender address <" + address + "> is not owned by user " + user);
    }
}
