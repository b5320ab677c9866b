package org.mailroom.storage.schema;

/** A database operation failed at run time (unchecked, so it can cross reactive and lambda boundaries). */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
