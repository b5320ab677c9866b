package org.mailroom.dist.admin;

import org.mailroom.smtp.outbound.OutboundService;
import org.mailroom.storage.schema.Database;

/** The outbound queue over one open store, closed together after one admin command. */
public record QueueDirectory(Database database, OutboundService outbound) implements AutoCloseable {
    @Override
    public void close() {
        try {
            outbound.close();
        } finally {
            database.close();
        }
    }
}
