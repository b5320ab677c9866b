package org.mailroom.dist.admin;

import org.mailroom.storage.schema.Database;
import org.mailroom.storage.user.AliasRepository;
import org.mailroom.storage.user.DomainRepository;
import org.mailroom.storage.user.UserRepository;

/**
 * The store and its domain, user and alias repositories for one admin command. {@link #close()} runs {@code release}: it
 * closes the store when the command opened it itself, and does nothing inside the running server.
 */
public record UserDirectory(Database database, DomainRepository domains, UserRepository users, AliasRepository aliases,
                            AutoCloseable release) implements AutoCloseable {
    @Override
    public void close() {
        MailStore.closeQuietly(release);
    }
}
