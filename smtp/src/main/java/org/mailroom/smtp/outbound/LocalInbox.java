package org.mailroom.smtp.outbound;

/**
 * Delivers a message Mailroom writes itself (a DSN) straight into a local user's INBOX, without the queue.
 */
@FunctionalInterface
public interface LocalInbox {

    /**
     * Delivers {@code message} to {@code address} if it is a local address and returns true once committed;
     * false if the address is not local (the caller then queues the message).
     */
    boolean deliver(String address, byte[] message) throws Exception;
}
