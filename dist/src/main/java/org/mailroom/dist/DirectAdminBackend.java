package org.mailroom.dist;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import org.mailroom.smtp.delivery.RecipientSorting;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;

import org.mailroom.dist.admin.AdminBackend;
import org.mailroom.dist.admin.MailStore;
import org.mailroom.dist.admin.QueueDirectory;
import org.mailroom.dist.admin.SortingTools;
import org.mailroom.dist.admin.UserDirectory;
import org.mailroom.dist.config.MailroomConfig;
import org.mailroom.smtp.outbound.dkim.DkimKeyDirectory;
import org.mailroom.storage.mailbox.MailboxStore;
import org.mailroom.storage.metrics.MicrometerMetricFactory;
import org.mailroom.storage.schema.Database;
import org.mailroom.storage.user.AliasRepository;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.MailroomAuthenticator;
import org.mailroom.storage.user.PasswordHasher;
import org.mailroom.storage.user.UserRepository;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Admin commands on a stopped server: each command opens the store itself and closes it when done. An
 * embedded Derby store can be open in one process only, which is why a running server takes the commands over.
 */
final class DirectAdminBackend implements AdminBackend {
    private final BiFunction<Database, List<AutoCloseable>, RecipientSorting> importSorting;
    private final MailroomConfig config;
    private final java.util.function.Supplier<SortingTools> sorting;
    private final java.util.function.Supplier<QueueDirectory> queue;

    DirectAdminBackend(MailroomConfig config, java.util.function.Supplier<SortingTools> sorting,
                       java.util.function.Supplier<QueueDirectory> queue,
                       BiFunction<Database, List<AutoCloseable>, RecipientSorting> importSorting) {
        this.importSorting = importSorting;
        this.config = config;
        this.sorting = sorting;
        this.queue = queue;
    }

    @Override
    public QueueDirectory openQueue() {
        return queue.get();
    }

    @Override
    public SortingTools openSortingTools() {
        return sorting.get();
    }

    @Override
    public UserDirectory openDirectory() {
        Database database = Database.open(config.storage().databaseSettings());
        try {
            DomainRepository domains = new DomainRepository(database);
            UserRepository users = new UserRepository(database, domains, PasswordHasher.defaults());
            return new UserDirectory(database, domains, users, new AliasRepository(database, domains, users), database::close);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    @Override
    public MailStore openMailStore() {
        Database database = Database.open(config.storage().databaseSettings());
        try {
            UserRepository users = new UserRepository(database, new DomainRepository(database), PasswordHasher.defaults());
            MailroomAuthenticator authenticator = new MailroomAuthenticator(users);
            MailboxStore mailboxes = new MailboxStore(database, authenticator, authenticator,
                new MicrometerMetricFactory(new SimpleMeterRegistry()), Clock.systemUTC(),
                Mailroom.storeSettings(config), Set.of());
            List<AutoCloseable> opened = new ArrayList<>();
            RecipientSorting[] sorting = new RecipientSorting[1];
            return new MailStore(mailboxes, users, () -> {
                for (AutoCloseable part : opened) {
                    part.close();
                }
                database.close();
            }, () -> {
                if (sorting[0] == null) {
                    sorting[0] = importSorting.apply(database, opened);
                }
                return sorting[0];
            });
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    @Override
    public DkimKeyDirectory dkimKeys() {
        return Mailroom.dkimKeys(config);
    }

    @Override
    public Path dataDirectory() {
        return config.storage().dataDirectory();
    }
}
