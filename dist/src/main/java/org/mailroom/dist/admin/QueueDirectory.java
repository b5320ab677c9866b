package org.mailroom.dist.admin;

import org.mailroom.smtp.outbound.OutboundService;
import org.mailroom.storage.schema.Database;

/**
 * The outbound queue for one admin command; {@code release} is what closing it does: close the store and the
 * queue the command opened itself, or nothing when they are the running server's.
 */
public record QueueDirectory(Database database, OutboundService outbound, Runnable release)
    implements AutoCloseable {

    @Override
    public void close() {
        release.run();
    }
}
