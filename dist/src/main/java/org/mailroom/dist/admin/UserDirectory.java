package org.mailroom.dist.admin;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.user.AliasRepository;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.UserRepository;

/** The domain, user and alias repositories over one open store, closed together after one admin command. */
public record UserDirectory(Database database, DomainRepository domains, UserRepository users,
                            AliasRepository aliases) implements AutoCloseable {
    @Override
    public void close() {
        database.close();
    }
}
