package org.mailroom.dist.admin;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.core.Username;
import org.apache.james.core.quota.QuotaCountLimit;
import org.apache.james.core.quota.QuotaCountUsage;
import org.apache.james.core.quota.QuotaSizeLimit;
import org.apache.james.core.quota.QuotaSizeUsage;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.Quota;
import org.apache.james.mailbox.model.QuotaRoot;
import org.mailroom.dist.UsageException;
import org.mailroom.storage.user.UserAdminException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mailroom admin quota set|show}: a user's limits on message count and storage. They are the limits IMAP
 * reports (GETQUOTA, GETQUOTAROOT) and enforces on APPEND and delivery, stored per quota root by the mailbox API.
 */
@Command(name = "quota", mixinStandardHelpOptions = true, description = "Sets and shows users' quotas.")
final class QuotaCommand {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})\\s*(B|KB|KIB|MB|MIB|GB|GIB|TB|TIB)?");

    private final Supplier<MailStore> store;

    @Spec
    private CommandSpec spec;

    QuotaCommand(Supplier<MailStore> store) {
        this.store = store;
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
        description = "Sets the largest number of messages and/or the storage a user may use (either may be"
            + " 'unlimited').")
    int set(@Parameters(paramLabel = "USER", description = "for example alice@example.org") String user,
            @Option(names = "--messages", paramLabel = "N", description = "a whole number, or unlimited") String messages,
            @Option(names = "--storage", paramLabel = "SIZE", description = "such as 500MB or 2GB, or unlimited")
            String storage) {
        if (messages == null && storage == null) {
            throw new UsageException("give --messages N, --storage SIZE, or both");
        }
        QuotaCountLimit count = messages == null ? null : count(messages);
        QuotaSizeLimit size = storage == null ? null : size(storage);
        try (MailStore mail = store.get()) {
            QuotaRoot root = rootOf(mail, user);
            if (count != null) {
                mail.mailboxes().maxQuotaManager().setMaxMessage(root, count);
            }
            if (size != null) {
                mail.mailboxes().maxQuotaManager().setMaxStorage(root, size);
            }
            show(mail, user, root);
        } catch (MailboxException e) {
            throw new UserAdminException("the quota of " + user + " cannot be set: " + e.getMessage());
        }
        return 0;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Prints a user's usage and limits.")
    int show(@Parameters(paramLabel = "USER") String user) {
        try (MailStore mail = store.get()) {
            show(mail, user, rootOf(mail, user));
        } catch (MailboxException e) {
            throw new UserAdminException("the quota of " + user + " cannot be read: " + e.getMessage());
        }
        return 0;
    }

    private void show(MailStore mail, String user, QuotaRoot root) throws MailboxException {
        Quota<QuotaCountLimit, QuotaCountUsage> messages = mail.mailboxes().quotaManager().getMessageQuota(root);
        Quota<QuotaSizeLimit, QuotaSizeUsage> storage = mail.mailboxes().quotaManager().getStorageQuota(root);
        PrintWriter out = spec.commandLine().getOut();
        out.println(user);
        out.println("  messages: " + messages.getUsed().asLong() + " of "
            + (messages.getLimit().isUnlimited() ? "unlimited" : String.valueOf(messages.getLimit().asLong())));
        out.println("  storage:  " + bytes(storage.getUsed().asLong()) + " of "
            + (storage.getLimit().isUnlimited() ? "unlimited" : bytes(storage.getLimit().asLong())));
    }

    private static QuotaRoot rootOf(MailStore mail, String user) {
        if (!mail.users().exists(user)) {
            throw new UserAdminException("no such user: " + user);
        }
        // The root of the user's INBOX is the user's root, whichever resolver the store uses.
        try {
            return mail.mailboxes().quotaRootResolver()
                .getQuotaRoot(MailboxPath.inbox(Username.of(user.toLowerCase(Locale.ROOT))));
        } catch (MailboxException e) {
            throw new UserAdminException("the quota root of " + user + " cannot be found: " + e.getMessage());
        }
    }

    static QuotaCountLimit count(String text) {
        if (text.equalsIgnoreCase("unlimited")) {
            return QuotaCountLimit.unlimited();
        }
        if (!text.matches("\\d{1,15}")) {
            throw new UsageException("--messages must be a whole number or unlimited, was '" + text + "'");
        }
        return QuotaCountLimit.count(Long.parseLong(text));
    }

    static QuotaSizeLimit size(String text) {
        if (text.equalsIgnoreCase("unlimited")) {
            return QuotaSizeLimit.unlimited();
        }
        Matcher m = SIZE.matcher(text.strip().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UsageException("--storage must be a size such as 500MB or 2GB, or unlimited, was '" + text + "'");
        }
        long unit = switch (m.group(2) == null ? 'B' : m.group(2).charAt(0)) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            case 'T' -> 1L << 40;
            default -> 1;
        };
        long number = Long.parseLong(m.group(1));
        if (number > Long.MAX_VALUE / unit) {
            throw new UsageException("--storage " + text + " is too large");
        }
        return QuotaSizeLimit.size(number * unit);
    }

    static String bytes(long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s (%d bytes)", value, units[unit], bytes);
    }
}
