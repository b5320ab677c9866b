package org.mailroom.dist.admin;

import org.mailroom.storage.mailbox.MailboxStore;
import org.mailroom.storage.user.UserRepository;

/**
 * The mailboxes (James mailbox API, so UIDs, MODSEQs and quotas stay right) and the users they belong to, for
 * one admin command; {@link #close()} behaves like {@link UserDirectory#close()}.
 */
public record MailStore(MailboxStore mailboxes, UserRepository users, AutoCloseable release) implements AutoCloseable {
    @Override
    public void close() {
        closeQuietly(release);
    }

    static void closeQuietly(AutoCloseable release) {
        try {
            release.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("closing the store failed: " + e.getMessage(), e);
        }
    }
}
