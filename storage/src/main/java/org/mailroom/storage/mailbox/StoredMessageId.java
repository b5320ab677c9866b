package org.mailroom.storage.mailbox;

import java.util.Objects;
import java.util.UUID;

import org.apache.james.mailbox.model.MessageId;

/**
 * Mailroom's message identifier: a random UUID chosen before the message is written, so that James can
 * name a message before it is stored and several servers sharing one PostgreSQL never collide.
 */
public final class StoredMessageId implements MessageId {

    /** Generates fresh ids and parses serialized ones. */
    public static final class Factory implements MessageId.Factory {
        @Override
        public MessageId fromString(String serialized) {
            return of(serialized);
        }

        @Override
        public MessageId generate() {
            return new StoredMessageId(UUID.randomUUID().toString());
        }
    }

    private final String value;

    private StoredMessageId(String value) {
        this.value = value;
    }

    public static StoredMessageId of(String serialized) {
        return new StoredMessageId(UUID.fromString(serialized.trim()).toString());
    }

    public static StoredMessageId of(MessageId id) {
        if (id instanceof StoredMessageId stored) {
            return stored;
        }
        return of(id.serialize());
    }

    public String value() {
        return value;
    }

    @Override
    public String serialize() {
        return value;
    }

    @Override
    public boolean isSerializable() {
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredMessageId other && other.value.equals(value);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(value);
    }

    @Override
    public String toString() {
        return "StoredMessageId{" + value + "}";
    }
}
