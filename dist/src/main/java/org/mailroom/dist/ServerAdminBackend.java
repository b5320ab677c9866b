package org.mailroom.dist;

import java.nio.file.Path;

import org.mailroom.dist.admin.AdminBackend;
import org.mailroom.dist.admin.MailStore;
import org.mailroom.dist.admin.QueueDirectory;
import org.mailroom.dist.admin.SortingTools;
import org.mailroom.smtp.outbound.OutboundService;
import org.mailroom.dist.admin.UserDirectory;
import org.mailroom.smtp.outbound.dkim.DkimKeyDirectory;
import org.mailroom.storage.mailbox.MailboxStore;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.user.AliasRepository;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.UserRepository;

/**
 * Admin commands forwarded to the running server act on its own open parts; closing what they were given does
 * nothing, since the server keeps running.
 */
record ServerAdminBackend(Database database, DomainRepository domains, UserRepository users, AliasRepository aliases,
                          MailboxStore mailboxes, DkimKeyDirectory dkimKeys, Path dataDirectory,
                          java.util.function.Supplier<SortingTools> sorting, OutboundService outbound,
                          org.mailroom.smtp.delivery.RecipientSorting placement,
                          org.mailroom.smtp.delivery.LocalRecipients recipients, OwnAddresses ownAddresses)
    implements AdminBackend {

    private static final AutoCloseable KEEP_OPEN = () -> { };

    @Override
    public UserDirectory openDirectory() {
        // The one place remembered directory answers follow admin changes, when the command is done: the SMTP
        // listeners' recipients and the importance model's own addresses of each user (its aliases).
        return new UserDirectory(database, domains, users, aliases, () -> {
            recipients.forgetAll();
            ownAddresses.forgetAll();
        });
    }

    @Override
    public QueueDirectory openQueue() {
        return new QueueDirectory(database, outbound, () -> { });
    }

    @Override
    public SortingTools openSortingTools() {
        return sorting.get();
    }

    @Override
    public MailStore openMailStore() {
        return new MailStore(mailboxes, users, KEEP_OPEN, () -> placement);
    }
}
