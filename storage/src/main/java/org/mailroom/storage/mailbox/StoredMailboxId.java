package org.mailroom.storage.mailbox;

import java.io.Serializable;

import org.apache.james.mailbox.model.MailboxId;

/** Mailroom's mailbox identifier: the database row id of the mailbox. */
public final class StoredMailboxId implements MailboxId, Serializable {
    private static final long serialVersionUID = 1L;

    /** Parses the serialized form used by IMAP OBJECTID and by the event bus. */
    public static final class Factory implements MailboxId.Factory {
        @Override
        public MailboxId fromString(String serialized) {
            return of(Long.parseLong(serialized));
        }
    }

    private final long value;

    private StoredMailboxId(long value) {
        this.value = value;
    }

    public static StoredMailboxId of(long value) {
        return new StoredMailboxId(value);
    }

    /** Narrows any MailboxId handed back by James to ours. */
    public static StoredMailboxId of(MailboxId id) {
        if (id instanceof StoredMailboxId stored) {
            return stored;
        }
        return of(Long.parseLong(id.serialize()));
    }

    public long value() {
        return value;
    }

    @Override
    public String serialize() {
        return Long.toString(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredMailboxId other && other.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public String toString() {
        return serialize();
    }
}
