package org.mailroom.storage.schema;

/** The store could not be opened; the message names the path or URL and what is wrong with it. */
public class StorageStartupException extends RuntimeException {
    public StorageStartupException(String message) {
        super(message);
    }

    public StorageStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
