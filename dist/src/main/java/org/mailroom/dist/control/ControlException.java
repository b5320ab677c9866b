package org.mailroom.dist.control;

/** An admin command could not be handed to the running server; the message says why and what to do. */
public final class ControlException extends RuntimeException {
    public ControlException(String message) {
        super(message);
    }
}
