package org.mailroom.storage.user;

/**
 * A request to change or query users, domains or aliases was refused; the message is one sentence an
 * administrator can act on (it never contains a password).
 */
public class UserAdminException extends RuntimeException {
    public UserAdminException(String message) {
        super(message);
    }
}
