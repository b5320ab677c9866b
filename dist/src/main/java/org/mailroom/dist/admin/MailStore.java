package org.mailroom.dist.admin;

import org.mailroom.storage.mailbox.MailboxStore;
import org.mailroom.storage.user.UserRepository;

import java.util.function.Supplier;

import org.mailroom.smtp.delivery.RecipientSorting;

/**
 * The mailboxes (James mailbox API, so UIDs, MODSEQs and quotas stay right) and the users they belong to, for
 * one admin command, and {@code sorting}: where SMTP delivery would place a message (import asks it, opened on
 * first use over the same store); {@link #close()} behaves like {@link UserDirectory#close()}.
 */
public record MailStore(MailboxStore mailboxes, UserRepository users, AutoCloseable release,
                        Supplier<RecipientSorting> sorting) implements AutoCloseable {
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
